// Corporate IT's portal: check an asset's coverage by serial, file an
// incident from it without typing anything twice, follow the account's
// incidents live, answer quotes, and keep the API keys of their tools.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { gql, subscribe } from '../api';
import type { User } from '../auth';
import { useMessages } from '../i18n';
import { navigate } from '../routes';
import { ErrorMessage } from '../ui/ErrorMessage';
import { ApiKeys } from './ApiKeys';
import { Health } from './Health';
import { checkCoverage, fileIncident, loadIncidents, type Coverage, type Incident } from './data';
import { IncidentDetail } from './IncidentDetail';
import { messages } from './messages';
import './portal.css';

const openIncident = (id: string | null) => navigate(id ? `/portal?incident=${id}` : '/portal');

export function Portal(_: { user: User }) {
  const t = useMessages(messages);
  const [tab, setTab] = useState<'incidents' | 'health' | 'keys'>('incidents');
  const [search, setSearch] = useState(window.location.search);
  useEffect(() => {
    const follow = () => setSearch(window.location.search);
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);
  const incident = new URLSearchParams(search).get('incident');

  return (
    <div className="portal">
      <h1>{t('title')}</h1>
      <div role="tablist" className="portal-tabs">
        {(['incidents', 'health', 'keys'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} onClick={() => setTab(k)}>
            {k === 'incidents' ? t('tabIncidents') : k === 'health' ? t('tabHealth') : t('tabKeys')}
          </button>
        ))}
      </div>
      {tab === 'keys' && <ApiKeys />}
      {tab === 'health' && <Health onOpenIncident={(id) => { setTab('incidents'); openIncident(id); }} />}
      {tab === 'incidents' && incident && <IncidentDetail id={incident} onBack={() => openIncident(null)} />}
      {tab === 'incidents' && !incident && (
        <div className="portal-grid">
          <FileIncident />
          <IncidentList />
        </div>
      )}
    </div>
  );
}

function FileIncident() {
  const t = useMessages(messages);
  const id = useId();
  const [serial, setSerial] = useState('');
  const [coverage, setCoverage] = useState<{ serial: string; c: Coverage } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  async function check(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    setCoverage(null);
    try {
      setCoverage({ serial: serial.trim(), c: await checkCoverage(serial.trim()) });
    } catch (err) {
      setFailure(err);
    }
  }

  return (
    <section aria-labelledby={`${id}-check`}>
      <h2 id={`${id}-check`}>{t('check')}</h2>
      <form onSubmit={check} className="portal-form">
        <label htmlFor={`${id}-serial`}>{t('serial')}</label>
        <input id={`${id}-serial`} value={serial} onChange={(e) => setSerial(e.target.value)} required />
        <button type="submit">{t('checkButton')}</button>
      </form>
      <ErrorMessage error={failure} />
      {coverage && <CoverageCard c={coverage.c} />}
      {coverage && <FileForm serial={coverage.serial} />}
    </section>
  );
}

function CoverageCard({ c }: { c: Coverage }) {
  const t = useMessages(messages);
  return (
    <div className={`portal-coverage ${c.covered ? 'is-covered' : 'not-covered'}`} data-testid="coverage">
      <p><strong>{c.covered ? `✓ ${t('covered')}` : `✗ ${t('notCovered')}`}</strong> · {c.tier} · {c.reason}</p>
      <p>{t('warrantyUntil', { date: c.warrantyEndsOn })}{c.contractNumber ? ` · ${t('contract', { number: c.contractNumber, tier: c.tier })}` : ''}</p>
      {c.entitlements.length > 0 && <p>{t('entitlements', { list: c.entitlements.join(', ') })}</p>}
      {c.needsQuote && <p>{t('needsQuote')}</p>}
    </div>
  );
}

function FileForm({ serial }: { serial: string }) {
  const t = useMessages(messages);
  const id = useId();
  const [form, setForm] = useState({ priority: 'P2', category: 'HARDWARE_FAILURE', symptoms: '', name: '', email: '', phone: '' });
  const [requestId] = useState(() => crypto.randomUUID());
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    gql<{ me: { displayName: string; email: string } }>('{ me { displayName email } }').then(
      ({ me }) => setForm((f) => ({ ...f, name: f.name || me.displayName, email: f.email || me.email })), () => undefined);
  }, []);
  const field = (k: keyof typeof form) => ({ id: `${id}-${k}`, value: form[k], onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }) });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setFailure(null);
    try {
      const filed = await fileIncident({ serialNumber: serial, priority: form.priority, category: form.category, symptoms: form.symptoms,
        contact: { name: form.name, email: form.email, ...(form.phone ? { phone: form.phone } : {}) }, clientRequestId: requestId });
      openIncident(filed.id);
    } catch (err) {
      setFailure(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} className="portal-form" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('file', { serial })}</h3>
      <label htmlFor={`${id}-priority`}>{t('priority')}</label>
      <select {...field('priority')}>{['P1', 'P2', 'P3', 'P4'].map((p) => <option key={p}>{p}</option>)}</select>
      <label htmlFor={`${id}-category`}>{t('category')}</label>
      <select {...field('category')}>
        {['HARDWARE_FAILURE', 'PERFORMANCE', 'SOFTWARE', 'PHYSICAL_DAMAGE', 'DATA_LOSS', 'INSTALLATION', 'QUESTION'].map((c) => <option key={c}>{c}</option>)}
      </select>
      <label htmlFor={`${id}-symptoms`}>{t('symptoms')}</label>
      <textarea {...field('symptoms')} required rows={3} />
      <label htmlFor={`${id}-name`}>{t('contactName')}</label>
      <input {...field('name')} required />
      <label htmlFor={`${id}-email`}>{t('contactEmail')}</label>
      <input {...field('email')} type="email" required />
      <label htmlFor={`${id}-phone`}>{t('contactPhone')}</label>
      <input {...field('phone')} type="tel" />
      <button type="submit" className="primary" disabled={pending}>{t('fileButton')}</button>
      <ErrorMessage error={failure} />
    </form>
  );
}

function IncidentList() {
  const t = useMessages(messages);
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    let timer: number | undefined;
    const reload = () => loadIncidents().then(setIncidents, setFailure);
    const stops: (() => void)[] = [];
    gql<{ me: { account: { id: string } | null } }>('{ me { account { id } } }').then(({ me }) => {
      if (me.account) {
        stops.push(subscribe('subscription($id: ID!) { accountEvents(accountId: $id) { id } }', { id: me.account.id }, () => {
          window.clearTimeout(timer);
          timer = window.setTimeout(reload, 300);
        }));
      }
    }, setFailure);
    reload();
    return () => {
      window.clearTimeout(timer);
      stops.forEach((s) => s());
    };
  }, []);
  return (
    <section aria-labelledby="portal-incidents">
      <h2 id="portal-incidents">{t('incidents')}</h2>
      <ErrorMessage error={failure} />
      {incidents === null ? <p>{t('loading')}</p> : incidents.length === 0 ? <p>{t('none')}</p> : (
        <table className="portal-table">
          <thead>
            <tr><th scope="col">{t('number')}</th><th scope="col">{t('status')}</th><th scope="col">{t('asset')}</th><th scope="col">{t('opened')}</th></tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.id} data-incident={i.number}>
                <td><a href={`/portal?incident=${i.id}`} onClick={(e) => { e.preventDefault(); openIncident(i.id); }}>#{i.number}</a> {i.priority}</td>
                <td>{i.status}</td>
                <td>{i.asset.model} ({i.asset.serialNumber})</td>
                <td>{new Date(i.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
