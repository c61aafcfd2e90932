// The account manager's desk: their accounts' contracts with renewals and
// entitlement use, incidents at risk, breaches with their service credits,
// monthly KPIs and their notifications. Service directors see every
// account the same way; the API decides what each person sees.
import { useEffect, useState } from 'react';
import { subscribe } from '../api';
import type { User } from '../auth';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { livePercent, useNow } from '../ui/clock';
import { ClockBadge } from '../board/ClockBadge';
import {
  byMonth, loadBreaches, loadContracts, loadIncidents, loadKpis, loadNotifications, loadUsage,
  type Breach, type Contract, type DeskIncident, type Month, type Notification, type Usage,
} from './data';
import { KpiCharts } from './KpiCharts';
import { messages } from './messages';
import './desk.css';

const day = 86_400_000;
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);
const closed = new Set(['RESOLVED', 'CLOSED', 'CANCELLED']);

export function Desk(_: { user: User }) {
  const t = useMessages(messages);
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [incidents, setIncidents] = useState<DeskIncident[] | null>(null);
  const [breaches, setBreaches] = useState<Breach[] | null>(null);
  const [months, setMonths] = useState<Month[] | null>(null);
  const [notes, setNotes] = useState<Notification[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const now = Date.now();
    loadContracts().then(setContracts, setFailure);
    loadIncidents().then(setIncidents, setFailure);
    loadBreaches(new Date(now - 90 * day).toISOString()).then(setBreaches, setFailure);
    loadKpis(isoDate(now - 365 * day), isoDate(now)).then((k) => setMonths(byMonth(k)), setFailure);
    loadNotifications().then(setNotes, setFailure);
  }, [tick]);

  // The desk follows its accounts' incidents live: any event reloads it.
  const accountIds = [...new Set((contracts ?? []).map((c) => c.account.id))].join(',');
  useEffect(() => {
    if (!accountIds) return;
    let timer: number | undefined;
    const stops = accountIds.split(',').map((id) => subscribe('subscription($id: ID!) { accountEvents(accountId: $id) { id } }', { id },
      () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(() => setTick((n) => n + 1), 500);
      }));
    return () => {
      window.clearTimeout(timer);
      stops.forEach((stop) => stop());
    };
  }, [accountIds]);

  const current = months?.[months.length - 1];
  const fmt = (x: number | null | undefined) => (x == null ? t('none') : t('percent', { n: Math.round(x * 1000) / 10 }));
  return (
    <div className="desk">
      <h1>{t('title')}</h1>
      <ErrorMessage error={failure} />
      <div className="desk-grid">
        <section aria-labelledby="desk-risk">
          <h2 id="desk-risk">{t('atRisk')}</h2>
          {incidents === null ? <p>{t('loading')}</p> : <AtRisk incidents={incidents} />}
        </section>
        <section aria-labelledby="desk-notes">
          <h2 id="desk-notes">{t('notifications')}</h2>
          {notes === null ? <p>{t('loading')}</p> : <Notifications notes={notes} />}
        </section>
        <section aria-labelledby="desk-kpis" className="wide">
          <h2 id="desk-kpis">{t('kpis')}</h2>
          {current && (
            <p className="this-month" data-resolved={current.resolved}>
              {t('thisMonth', { resolved: current.resolved, restored: current.restored, ftf: fmt(current.firstTimeFix), csat: fmt(current.csat) })}
            </p>
          )}
          {months === null ? <p>{t('loading')}</p> : <KpiCharts months={months} />}
        </section>
        <section aria-labelledby="desk-contracts" className="wide">
          <h2 id="desk-contracts">{t('accounts')}</h2>
          {contracts === null ? <p>{t('loading')}</p> : <Contracts contracts={contracts} />}
        </section>
        <section aria-labelledby="desk-breaches" className="wide">
          <h2 id="desk-breaches">{t('breaches')}</h2>
          {breaches === null ? <p>{t('loading')}</p> : <Breaches breaches={breaches} />}
        </section>
      </div>
    </div>
  );
}

function AtRisk({ incidents }: { incidents: DeskIncident[] }) {
  const t = useMessages(messages);
  const now = useNow();
  const risky = incidents.filter((i) => !closed.has(i.status) && i.slaClocks.some((c) => c.state !== 'MET' && livePercent(c, now) >= 75));
  if (risky.length === 0) return <p>{t('atRiskNone')}</p>;
  return (
    <ul className="desk-list">
      {risky.map((i) => (
        <li key={i.id} data-incident={i.number}>
          <strong>#{i.number}</strong> {i.priority} · {i.account.name} · {i.status}
          <div>{i.slaClocks.filter((c) => c.state !== 'MET').map((c) => <ClockBadge key={c.kind} clock={c} now={now} />)}</div>
        </li>
      ))}
    </ul>
  );
}

function Notifications({ notes }: { notes: Notification[] }) {
  const t = useMessages(messages);
  if (notes.length === 0) return <p>{t('notificationsNone')}</p>;
  return (
    <ul className="desk-list">
      {notes.map((n) => (
        <li key={n.id}>
          <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time>{' '}
          {n.incident ? t('notification', { number: n.incident.number, clock: n.clock ?? '', percent: n.percent ?? 0, level: n.level ?? 0 })
            : t('reason.STOCK')}{' '}
          <span className="muted">({(t as (k: string) => string)(`reason.${n.reason}`)})</span>
        </li>
      ))}
    </ul>
  );
}

function Contracts({ contracts }: { contracts: Contract[] }) {
  const t = useMessages(messages);
  const [usage, setUsage] = useState<Record<string, Usage | Error>>({});
  useEffect(() => {
    for (const c of contracts.filter((c) => c.status === 'ACTIVE').slice(0, 20)) {
      loadUsage(c.id).then((u) => setUsage((all) => ({ ...all, [c.id]: u })), (e: Error) => setUsage((all) => ({ ...all, [c.id]: e })));
    }
  }, [contracts]);
  if (contracts.length === 0) return <p>{t('noContracts')}</p>;
  const now = Date.now();
  return (
    <table className="desk-table">
      <thead>
        <tr>
          <th scope="col">{t('contract')}</th><th scope="col">{t('account')}</th><th scope="col">{t('tier')}</th>
          <th scope="col">{t('status')}</th><th scope="col">{t('term')}</th><th scope="col">{t('renewal')}</th><th scope="col">{t('usage')}</th>
        </tr>
      </thead>
      <tbody>
        {[...contracts].sort((a, b) => a.endsOn.localeCompare(b.endsOn)).map((c) => {
          const days = Math.ceil((Date.parse(c.endsOn) - now) / day);
          const u = usage[c.id];
          return (
            <tr key={c.id}>
              <td>{c.number}</td><td>{c.account.name}</td><td>{c.tier}</td><td>{c.status}</td>
              <td>{c.startsOn} – {c.endsOn}</td>
              <td className={days <= 60 && days >= 0 ? 'renewal-soon' : undefined}>{days >= 0 ? t('renewsIn', { days }) : t('ended')}</td>
              <td>{u instanceof Error ? <ErrorMessage error={u} /> : u?.entitlements.map((e) => (
                <div key={e.kind}>
                  {e.annualLimit === null ? t('usedUnlimited', { kind: e.kind, used: e.used }) : t('usedOf', { kind: e.kind, used: e.used, limit: e.annualLimit })}
                </div>
              ))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Breaches({ breaches }: { breaches: Breach[] }) {
  const t = useMessages(messages);
  if (breaches.length === 0) return <p>{t('breachesNone')}</p>;
  return (
    <table className="desk-table">
      <thead>
        <tr>
          <th scope="col">{t('incident')}</th><th scope="col">{t('account')}</th><th scope="col">{t('clock')}</th>
          <th scope="col">{t('deadline')}</th><th scope="col">{t('credit')}</th>
        </tr>
      </thead>
      <tbody>
        {breaches.map((b) => {
          const credit = b.escalations.reduce((s, e) => s + (e.serviceCreditPercent ?? 0), 0);
          return (
            <tr key={`${b.incident.id}-${b.kind}`}>
              <td>#{b.incident.number} {b.incident.priority}</td><td>{b.incident.account.name}</td><td>{b.kind}</td>
              <td>{new Date(b.deadline).toLocaleString()}</td><td>{t('percent', { n: credit.toFixed(1) })}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
