import { useId, useState, type FormEvent } from 'react';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatDuration } from '../ui/clock';
import { assignBest, assignChosen, declineAssignment, type Candidate, type Decision, type PartNeed, type QueueItem } from './data';
import { messages } from './messages';

interface Props {
  item: QueueItem;
  decision: Decision | null;
  error: unknown;
  onChanged: (note: string) => void;
  onRetry: () => void;
}

const partList = (needs: PartNeed[]) => needs.map((n) => `${n.part.fru} × ${n.quantity}`).join(', ');

/** Candidates shows who can go to the selected incident, ranked, who cannot and why, and the actions on it. */
export function Candidates({ item, decision, error, onChanged, onRetry }: Props) {
  const t = useMessages(messages);
  const inc = item.incident;
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [override, setOverride] = useState<Candidate | null>(null);
  const [declining, setDeclining] = useState(false);

  async function act(action: () => Promise<void>, note: string) {
    setPending(true);
    setFailure(null);
    try {
      await action();
      setOverride(null);
      setDeclining(false);
      onChanged(note);
    } catch (err) {
      setFailure(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="candidates" aria-labelledby="candidates-title">
      <h2 id="candidates-title">{t('candidates')} — #{inc.number}</h2>
      <p className="candidates-needs">{inc.site.name}, {inc.site.city} · {inc.asset.model} · {t('needs', { level: inc.minLevel, line: inc.asset.productLine })}</p>
      {item.assignment && (
        <div className="current-assignment">
          <p>{t('currentAssignment')}: {t('assignedTo', { name: item.assignment.engineer.name, state: (t as (k: string) => string)(`state.${item.assignment.state}`) })}</p>
          {declining ? (
            <ReasonForm label={t('declineReason')} confirm={t('declineConfirm')} pending={pending} onCancel={() => setDeclining(false)}
              onSubmit={(reason) => act(() => declineAssignment(item.assignment!.id, reason), t('declined'))} />
          ) : (
            <button type="button" onClick={() => setDeclining(true)} disabled={pending}>{t('decline')}</button>
          )}
        </div>
      )}
      <ErrorMessage error={error ?? failure} />
      {error ? <button type="button" onClick={onRetry}>{t('retry')}</button> : null}
      {!decision && !error && <p>{t('loading')}</p>}
      {decision && (
        <>
          {decision.candidates.length === 0 ? <p>{t('noCandidates')}</p> : (
            <>
              {!item.assignment && (
                <button type="button" className="primary" disabled={pending} onClick={() => act(() => assignBest(inc.id), t('assigned'))}>
                  {t('assignBest')}
                </button>
              )}
              <CandidateTable decision={decision} pending={pending} onOverride={setOverride} />
            </>
          )}
          {override && (
            <ReasonForm label={t('overrideReason')} confirm={t('overrideConfirm')} pending={pending} onCancel={() => setOverride(null)}
              onSubmit={(reason) => act(() => assignChosen(inc.id, override.engineer.id, reason), t('assigned'))} />
          )}
          <Rejections decision={decision} />
        </>
      )}
    </section>
  );
}

function CandidateTable({ decision, pending, onOverride }: { decision: Decision; pending: boolean; onOverride: (c: Candidate) => void }) {
  const t = useMessages(messages);
  const at = Date.parse(decision.at);
  return (
    <table className="candidate-table">
      <thead>
        <tr>
          <th scope="col">{t('rank')}</th><th scope="col">{t('engineer')}</th><th scope="col">{t('eta')}</th>
          <th scope="col">{t('distance')}</th><th scope="col">{t('deadline')}</th><th scope="col">{t('load')}</th>
          <th scope="col">{t('parts')}</th><th scope="col"><span className="visually-hidden">{t('assignThis', { name: '' })}</span></th>
        </tr>
      </thead>
      <tbody>
        {decision.candidates.map((c, i) => (
          <tr key={c.engineer.id} data-engineer={c.engineer.id}>
            <td>{i + 1}</td>
            <td>{c.engineer.name} <span className="muted">{c.engineer.code}</span></td>
            <td>{new Date(c.eta).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ({formatDuration(Math.round((Date.parse(c.eta) - at) / 1000))})</td>
            <td>{c.distanceKm.toFixed(1)} km · {t('route')} {c.routeKm.toFixed(1)} km</td>
            <td>{c.makesDeadline ? `✓ ${t('makes')}` : `✗ ${t('misses')}`}</td>
            <td>{c.load}</td>
            <td>
              {c.fromVan.length === 0 && c.fromDepot.length === 0 && t('noParts')}
              {c.fromVan.length > 0 && <div>{t('fromVan', { parts: partList(c.fromVan) })}</div>}
              {c.depot && <div>{t('viaDepot', { depot: c.depot.code, parts: partList(c.fromDepot) })}</div>}
            </td>
            <td>
              <button type="button" disabled={pending} onClick={() => onOverride(c)} aria-label={t('assignThis', { name: c.engineer.name })}>
                {t('assign')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Rejections({ decision }: { decision: Decision }) {
  const t = useMessages(messages);
  const reason = (r: string) => (t as (k: string) => string)(`reason.${r}`);
  return (
    <>
      <h3>{t('rejections')}</h3>
      <p className="rejection-counts">{decision.rejectionCounts.map((c) => `${reason(c.reason)}: ${c.count}`).join(' · ')}</p>
      <table className="rejection-table">
        <thead>
          <tr><th scope="col">{t('engineer')}</th><th scope="col">{t('reason')}</th><th scope="col">{t('distance')}</th></tr>
        </thead>
        <tbody>
          {decision.rejections.map((r) => (
            <tr key={r.engineer.id} data-reason={r.reason}>
              <td>{r.engineer.name} <span className="muted">{r.engineer.code}</span></td>
              <td>{reason(r.reason)}</td>
              <td>{r.distanceKm.toFixed(1)} km</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** ReasonForm asks for the reason an action needs before it is taken. */
export function ReasonForm({ label, confirm, pending, onSubmit, onCancel }: {
  label: string; confirm: string; pending: boolean; onSubmit: (reason: string) => void; onCancel: () => void;
}) {
  const t = useMessages(messages);
  const id = useId();
  const [reason, setReason] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(reason.trim());
  };
  return (
    <form className="reason-form" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus />
      <button type="submit" className="primary" disabled={pending || reason.trim() === ''}>{confirm}</button>
      <button type="button" onClick={onCancel}>{t('cancel')}</button>
    </form>
  );
}
