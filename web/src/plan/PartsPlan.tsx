// The parts plan: what each depot of a region should stock of each part,
// planned from what its catchment used, with the backtest that says why
// beside today's stock, and a button that applies it to the reorder
// points. Dispatchers plan their regions; directors read every region's.
import { useEffect, useMemo, useState } from 'react';
import type { User } from '../auth';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { loadRegions, type Region } from '../board/data';
import { applyPlan, loadPlan, type Line, type Outcome, type Plan, type PlanInput } from './data';
import { messages } from './messages';
import './plan.css';

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const money = (x: number) => Math.round(x).toLocaleString();

export function PartsPlan({ user }: { user: User }) {
  const t = useMessages(messages);
  const [regions, setRegions] = useState<Region[]>([]);
  const [input, setInput] = useState<PlanInput>({ region: '', targetFillRate: 0.95, leadTimeDays: 7 });
  const [plan, setPlan] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [applied, setApplied] = useState<number | null>(null);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    loadRegions().then((rs) => {
      setRegions(rs);
      if (rs[0]) setInput((i) => ({ ...i, region: i.region || rs[0]!.code }));
    }, setFailure);
  }, []);

  async function run(apply: boolean) {
    if (!input.region) return;
    if (apply && !window.confirm(t('confirmApply', { region: input.region }))) return;
    setBusy(true);
    setFailure(null);
    setApplied(null);
    try {
      if (apply) {
        const r = await applyPlan(input);
        setPlan(r.plan);
        setApplied(r.changed);
      } else {
        setPlan(await loadPlan(input));
      }
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (input.region) void run(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [input.region]);

  const lines = useMemo(() => (plan?.lines ?? []).filter((l) => showAll || l.asked > 0), [plan, showAll]);
  const mayApply = user.role === 'dispatcher' || user.role === 'admin';
  return (
    <div className="parts-plan">
      <h1>{t('title')}</h1>
      <form className="plan-form" onSubmit={(e) => { e.preventDefault(); void run(false); }}>
        <label>{t('region')}{' '}
          <select value={input.region} onChange={(e) => setInput({ ...input, region: e.target.value })}>
            {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
          </select>
        </label>
        <label>{t('target')}{' '}
          <input type="number" min={50} max={99.9} step={0.5} value={Math.round(input.targetFillRate * 1000) / 10}
            onChange={(e) => setInput({ ...input, targetFillRate: Number(e.target.value) / 100 })} />
        </label>
        <label>{t('leadTime')}{' '}
          <input type="number" min={1} max={120} value={input.leadTimeDays}
            onChange={(e) => setInput({ ...input, leadTimeDays: Number(e.target.value) })} />
        </label>
        <button type="submit" disabled={busy}>{t('plan')}</button>
        {mayApply && (
          <button type="button" className="apply" disabled={busy || !plan} onClick={() => void run(true)}>
            {busy ? t('applying') : t('apply')}
          </button>
        )}
      </form>
      <ErrorMessage error={failure} />
      {applied !== null && <p role="status" className="applied">{t('applied', { n: applied })}</p>}
      {busy && !plan && <p aria-live="polite">{t('loading')}</p>}
      {plan && <Summary plan={plan} />}
      {plan && (
        <>
          <label className="show-all">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> {t('showAll')}
          </label>
          <p>{t('lines', { shown: lines.length, all: plan.lines.length })}</p>
          {plan.lines.length === 0 ? <p>{t('noLines')}</p> : <Lines plan={plan} lines={lines} />}
        </>
      )}
    </div>
  );
}

function Summary({ plan }: { plan: Plan }) {
  const t = useMessages(messages);
  const row = (name: string, o: Outcome) => (
    <tr>
      <th scope="row">{name}</th>
      <td>{pct(o.fillRate)}</td>
      <td>{o.slaStockOuts}</td>
      <td>{o.stockOuts}</td>
      <td>{t('cny', { n: money(o.inventoryValue) })}</td>
    </tr>
  );
  return (
    <section aria-labelledby="plan-totals" className="plan-summary">
      <p>{t('history', { from: plan.from.slice(0, 10), to: plan.to.slice(0, 10), weeks: plan.historyWeeks,
        train: plan.trainWeeks, rest: plan.historyWeeks - plan.trainWeeks })}</p>
      <h2 id="plan-totals">{t('totals')}</h2>
      <table>
        <thead>
          <tr><th scope="col">{t('policy')}</th><th scope="col">{t('fillRate')}</th><th scope="col">{t('slaStockOuts')}</th>
            <th scope="col">{t('stockOuts')}</th><th scope="col">{t('inventoryValue')}</th></tr>
        </thead>
        <tbody>
          {row(t('recommended'), plan.backtest)}
          {row(t('today'), plan.flat)}
        </tbody>
      </table>
    </section>
  );
}

function Lines({ plan, lines }: { plan: Plan; lines: Line[] }) {
  const t = useMessages(messages);
  const num = (x: number | null) => (x == null ? t('none') : (Math.round(x * 100) / 100).toString());
  return (
    <table className="plan-lines">
      <thead>
        <tr>
          <th scope="col">{t('depot')}</th><th scope="col">{t('part')}</th><th scope="col">{t('used', { weeks: plan.historyWeeks })}</th>
          <th scope="col">{t('forecast')}</th><th scope="col">{t('mase')}</th><th scope="col">{t('onHand')}</th>
          <th scope="col">{t('level')}</th><th scope="col">{t('backtest')}</th><th scope="col">{t('why')}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={`${l.depotCode}/${l.fru}`} data-fru={l.fru} data-depot={l.depotCode}>
            <td>{l.depotCode}</td>
            <td><span className="fru">{l.fru}</span> {l.description}</td>
            <td><Spark weekly={l.weekly} label={t('weeklyUse')} /> {l.asked}</td>
            <td>{num(l.forecast)}</td>
            <td>{l.mase == null ? t('none') : t('masePair', { sba: num(l.mase), naive: num(l.naiveMase) })}</td>
            <td>{l.onHand} / {l.reorderPoint ?? t('none')}</td>
            <td className="level">
              {l.recommended.reorderPoint} → {l.recommended.orderUpTo}
              {l.pooled && <span className="pooled"> ({t('pooled')})</span>}
            </td>
            <td>{l.backtest.asked > 0 ? `${pct(l.backtest.fillRate)} / ${pct(l.flat.fillRate)}` : t('none')}</td>
            <td className="why"><Why plan={plan} line={l} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Why({ plan, line: l }: { plan: Plan; line: Line }) {
  const t = useMessages(messages);
  return (
    <details>
      <summary>{t('why')}</summary>
      <p>
        {t('whyText', { asked: l.asked, weeks: plan.historyWeeks, method: l.method, rate: Math.round(l.forecast * 100) / 100,
          lead: plan.leadTimeDays, s: l.recommended.reorderPoint, S: l.recommended.orderUpTo,
          fill: pct(l.recommended.expectedFillRate) })}
        {l.pooled && <> {t('whyPooled')}</>}
        {l.backtest.asked > 0 && <> {t('whyBacktest', { rec: pct(l.backtest.fillRate), recSla: l.backtest.slaStockOuts,
          onHand: l.catchmentOnHand, flat: pct(l.flat.fillRate), flatSla: l.flat.slaStockOuts })}</>}
      </p>
    </details>
  );
}

/** Spark draws a line's weekly use as bars, with the numbers for readers who do not see it. */
function Spark({ weekly, label }: { weekly: number[]; label: string }) {
  const peak = Math.max(1, ...weekly);
  return (
    <svg className="spark" width={weekly.length * 3} height={16} role="img" aria-label={`${label}: ${weekly.join(', ')}`}>
      {weekly.map((w, i) => (
        <rect key={i} x={i * 3} y={16 - (w / peak) * 16} width={2} height={(w / peak) * 16} />
      ))}
    </svg>
  );
}
