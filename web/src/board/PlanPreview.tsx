import { useState } from 'react';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatDuration } from '../ui/clock';
import { applyPlan, previewPlan, type PlanPreview as Preview } from './data';
import { messages } from './messages';

/** PlanPreview shows the optimal batch plan for the region's unassigned queue beside the greedy one, to apply or discard. */
export function PlanPreview({ region, onApplied }: { region: string; onApplied: () => void }) {
  const t = useMessages(messages);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');

  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    setPending(true);
    setFailure(null);
    try {
      return await f();
    } catch (err) {
      setFailure(err);
      return undefined;
    } finally {
      setPending(false);
    }
  }

  async function show() {
    setNote('');
    const p = await run(() => previewPlan(region));
    if (p) setPreview(p);
  }

  async function apply() {
    const done = await run(() => applyPlan(region));
    if (done) {
      setPreview(null);
      setNote(t('planApplied', { assigned: done.assigned, unassigned: done.unassigned }));
      onApplied();
    }
  }

  return (
    <section className="plan" aria-labelledby="plan-title">
      <h2 id="plan-title">{t('plan')}</h2>
      <button type="button" onClick={show} disabled={pending}>{t('previewPlan')}</button>
      <ErrorMessage error={failure} />
      {note && <p role="status">{note}</p>}
      {preview && preview.proposals.length === 0 && <p role="status">{t('planEmpty')}</p>}
      {preview && preview.proposals.length > 0 && (
        <div className="plan-preview">
          <p role="status">
            {t('planTotals', {
              optimal: formatDuration(Math.round(preview.optimalTotalSeconds)), n: preview.proposals.length,
              greedy: formatDuration(Math.round(preview.greedyTotalSeconds)), greedyN: preview.greedyAssigned,
            })}{' '}
            {preview.greedyTotalSeconds > preview.optimalTotalSeconds &&
              t('planSaving', { saving: formatDuration(Math.round(preview.greedyTotalSeconds - preview.optimalTotalSeconds)) })}
          </p>
          <ul>
            {preview.proposals.map((p) => (
              <li key={p.incident.id}>#{p.incident.number} → {p.engineer.name} ({p.distanceKm.toFixed(1)} km)</li>
            ))}
          </ul>
          <button type="button" className="primary" onClick={apply} disabled={pending}>{t('applyPlan')}</button>
          <button type="button" onClick={() => setPreview(null)} disabled={pending}>{t('discardPlan')}</button>
        </div>
      )}
    </section>
  );
}
