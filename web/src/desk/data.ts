// What the account manager's desk reads: the caller's accounts and
// contracts (the API scopes them), incidents and their clocks, breaches,
// KPIs and notifications.
import { gql } from '../api';
import { clockFields, type Clock } from '../ui/clock';

export interface Contract {
  id: string;
  number: string;
  tier: string;
  status: string;
  startsOn: string;
  endsOn: string;
  account: { id: string; name: string };
}

export interface Usage {
  entitlements: { kind: string; annualLimit: number | null; used: number; remaining: number | null }[];
  resetsOn: string;
}

export interface DeskIncident {
  id: string;
  number: number;
  priority: string;
  status: string;
  tier: string;
  symptoms: string;
  account: { name: string };
  slaClocks: Clock[];
}

export interface Breach {
  kind: string;
  deadline: string;
  state: string;
  incident: { id: string; number: number; priority: string; account: { name: string } };
  escalations: { level: number; serviceCreditPercent: number | null }[];
}

export interface Kpi {
  key: string;
  name: string;
  periodStart: string;
  response: Attainment;
  onSite: Attainment;
  restore: Attainment;
  restored: number;
  meanTimeToRestoreSeconds: number | null;
  resolved: number;
  visited: number;
  firstTimeFixes: number;
  surveysAnswered: number;
  surveysSatisfied: number;
  breaches: number;
  serviceCreditPercent: number;
}

export interface Attainment {
  met: number;
  breached: number;
}

export interface Notification {
  id: string;
  reason: string;
  clock: string | null;
  level: number | null;
  percent: number | null;
  createdAt: string;
  incident: { id: string; number: number } | null;
}

type Edges<T> = { edges: { node: T }[] };
const nodes = <T>(c: Edges<T>) => c.edges.map((e) => e.node);

export async function loadContracts(): Promise<Contract[]> {
  const d = await gql<{ contracts: Edges<Contract> }>(`{ contracts(first: 200) { edges { node {
    id number tier status startsOn endsOn account { id name } } } } }`);
  return nodes(d.contracts);
}

export async function loadUsage(contractId: string): Promise<Usage> {
  const d = await gql<{ contractUsage: Usage }>(`query($id: ID!) { contractUsage(contractId: $id) { resetsOn
    entitlements { kind annualLimit used remaining } } }`, { id: contractId });
  return d.contractUsage;
}

export async function loadIncidents(): Promise<DeskIncident[]> {
  const d = await gql<{ incidents: Edges<DeskIncident> }>(`{ incidents(first: 500) { edges { node {
    id number priority status tier symptoms account { name } slaClocks { ${clockFields} } } } } }`);
  return nodes(d.incidents);
}

export async function loadBreaches(since: string): Promise<Breach[]> {
  const d = await gql<{ breaches: Edges<Breach> }>(`query($since: Time) { breaches(filter: { since: $since }, first: 100) {
    edges { node { kind deadline state incident { id number priority account { name } }
    escalations { level serviceCreditPercent } } } } }`, { since });
  return nodes(d.breaches);
}

export async function loadKpis(from: string, to: string): Promise<Kpi[]> {
  const a = 'met breached';
  const d = await gql<{ kpis: Kpi[] }>(`query($f: KpiFilter!) { kpis(filter: $f) { key name periodStart
    response { ${a} } onSite { ${a} } restore { ${a} } restored meanTimeToRestoreSeconds resolved visited firstTimeFixes
    surveysAnswered surveysSatisfied breaches serviceCreditPercent } }`,
  { f: { dimension: 'ACCOUNT', from, to, granularity: 'MONTH' } });
  return d.kpis;
}

export async function loadNotifications(): Promise<Notification[]> {
  const d = await gql<{ myNotifications: Edges<Notification> }>(`{ myNotifications(first: 50) { edges { node {
    id reason clock level percent createdAt incident { id number } } } } }`);
  return nodes(d.myNotifications);
}

/** Month is one month's KPIs summed over the caller's accounts. */
export interface Month {
  start: string;
  response: number | null;
  onSite: number | null;
  restore: number | null;
  mttrHours: number | null;
  firstTimeFix: number | null;
  csat: number | null;
  restored: number;
  resolved: number;
  breaches: number;
  credits: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const att = (x: Attainment[]) => ratio(x.reduce((s, a) => s + a.met, 0), x.reduce((s, a) => s + a.met + a.breached, 0));

/** byMonth sums each month's KPIs over the accounts, weighting each ratio by what it counts. */
export function byMonth(kpis: Kpi[]): Month[] {
  const groups = new Map<string, Kpi[]>();
  for (const k of kpis) groups.set(k.periodStart, [...(groups.get(k.periodStart) ?? []), k]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([start, ks]) => {
    const restored = ks.reduce((s, k) => s + k.restored, 0);
    const mttr = ks.reduce((s, k) => s + (k.meanTimeToRestoreSeconds ?? 0) * k.restored, 0);
    return {
      start,
      response: att(ks.map((k) => k.response)),
      onSite: att(ks.map((k) => k.onSite)),
      restore: att(ks.map((k) => k.restore)),
      mttrHours: restored > 0 ? mttr / restored / 3600 : null,
      firstTimeFix: ratio(ks.reduce((s, k) => s + k.firstTimeFixes, 0), ks.reduce((s, k) => s + k.visited, 0)),
      csat: ratio(ks.reduce((s, k) => s + k.surveysSatisfied, 0), ks.reduce((s, k) => s + k.surveysAnswered, 0)),
      restored,
      resolved: ks.reduce((s, k) => s + k.resolved, 0),
      breaches: ks.reduce((s, k) => s + k.breaches, 0),
      credits: ks.reduce((s, k) => s + k.serviceCreditPercent, 0),
    };
  });
}
