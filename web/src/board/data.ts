// What the dispatcher's board reads from the API, and the shapes it reads.
import { gql } from '../api';
import { clockFields, type Clock } from '../ui/clock';

export interface Region {
  code: string;
  name: string;
}

export interface QueueItem {
  incident: {
    id: string;
    number: number;
    priority: string;
    tier: string;
    status: string;
    symptoms: string;
    minLevel: number;
    account: { name: string };
    site: { name: string; city: string; lat: number; lng: number };
    asset: { productLine: string; model: string };
    neededParts: { part: { fru: string }; quantity: number }[];
    slaClocks: Clock[];
  };
  onSiteDeadline: string | null;
  assignment: { id: string; state: string; eta: string; engineer: { id: string; name: string } } | null;
}

export interface BoardEngineer {
  id: string;
  code: string;
  name: string;
  lat: number;
  lng: number;
  locatedAt: string;
  capacity: number;
  load: number;
  onShiftNow: boolean;
  skills: { productLine: string; level: number }[];
  currentJobs: { id: string; state: string; incident: { number: number } }[];
}

export interface Depot {
  id: string;
  code: string;
  name: string;
  lat: number;
  lng: number;
}

export interface PartNeed {
  part: { fru: string };
  quantity: number;
}

export interface Candidate {
  engineer: { id: string; name: string; code: string; lat: number; lng: number };
  distanceKm: number;
  routeKm: number;
  eta: string;
  makesDeadline: boolean;
  load: number;
  fromVan: PartNeed[];
  depot: Depot | null;
  fromDepot: PartNeed[];
}

export interface Rejection {
  engineer: { id: string; name: string; code: string; lat: number; lng: number };
  reason: string;
  distanceKm: number;
}

export interface Decision {
  at: string;
  candidates: Candidate[];
  rejections: Rejection[];
  rejectionCounts: { reason: string; count: number }[];
}

export interface PlanPreview {
  proposals: { incident: { id: string; number: number }; engineer: { id: string; name: string }; eta: string; distanceKm: number }[];
  unassigned: { id: string; number: number }[];
  optimalTotalSeconds: number;
  greedyTotalSeconds: number;
  greedyAssigned: number;
}

const incidentFields = `id number priority tier status symptoms minLevel account { name }
  site { name city lat lng } asset { productLine model } neededParts { part { fru } quantity }
  slaClocks { ${clockFields} }`;

const queueFields = `incident { ${incidentFields} } onSiteDeadline assignment { id state eta engineer { id name } }`;

/** engineerFields selects what the board shows of an engineer. */
export const engineerFields = `id code name lat lng locatedAt capacity load onShiftNow skills { productLine level }
  currentJobs { id state incident { number } }`;

/**
 * loadItem reads one incident as the queue shows it, with its active
 * assignment: for the incident a dispatcher follows after it left the
 * queue (assigned and not at risk).
 */
export async function loadItem(incidentId: string): Promise<QueueItem | null> {
  const q = `query($id: ID!) { incident(id: $id) { ${incidentFields} assignments { id state eta engineer { id name } } } }`;
  type Found = QueueItem['incident'] & { assignments: NonNullable<QueueItem['assignment']>[] };
  const d = await gql<{ incident: Found | null }>(q, { id: incidentId });
  if (!d.incident) return null;
  const { assignments, ...incident } = d.incident;
  const active = assignments.find((a) => ['PROPOSED', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE'].includes(a.state)) ?? null;
  return { incident, onSiteDeadline: null, assignment: active };
}

export async function loadRegions(): Promise<Region[]> {
  return (await gql<{ myRegions: Region[] }>(`{ myRegions { code name } }`)).myRegions;
}

export async function loadQueue(region: string): Promise<QueueItem[]> {
  const q = `query($r: String!) { dispatchQueue(region: $r, first: 500) { ${queueFields} } }`;
  return (await gql<{ dispatchQueue: QueueItem[] }>(q, { r: region })).dispatchQueue;
}

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** loadAll reads every page of a connection. */
async function loadAll<T>(field: string, query: string, vars: Record<string, unknown>): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Page<T>> = await gql<Record<string, Page<T>>>(query, { ...vars, after });
    const page = data[field]!;
    out.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

export function loadEngineers(region: string): Promise<BoardEngineer[]> {
  return loadAll<BoardEngineer>('engineers', `query($r: String!, $after: String) { engineers(region: $r, first: 500, after: $after) {
    edges { node { ${engineerFields} } } pageInfo { hasNextPage endCursor } } }`, { r: region });
}

export function loadDepots(region: string): Promise<Depot[]> {
  return loadAll<Depot>('depots', `query($r: String!, $after: String) { depots(region: $r, first: 500, after: $after) {
    edges { node { id code name lat lng } } pageInfo { hasNextPage endCursor } } }`, { r: region });
}

const engineerRef = 'engineer { id name code lat lng }';

export async function loadDecision(incidentId: string): Promise<Decision> {
  const q = `query($id: ID!) { dispatchCandidates(incidentId: $id, rejections: 10) { at
    candidates { ${engineerRef} distanceKm routeKm eta makesDeadline load fromVan { part { fru } quantity }
      depot { id code name lat lng } fromDepot { part { fru } quantity } }
    rejections { ${engineerRef} reason distanceKm } rejectionCounts { reason count } } }`;
  return (await gql<{ dispatchCandidates: Decision }>(q, { id: incidentId })).dispatchCandidates;
}

export async function assignBest(incidentId: string): Promise<void> {
  await gql(`mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, { id: incidentId });
}

export async function assignChosen(incidentId: string, engineerId: string, reason: string): Promise<void> {
  await gql(`mutation($id: ID!, $e: ID!, $r: String!) { overrideAssignment(incidentId: $id, engineerId: $e, reason: $r) { id } }`,
    { id: incidentId, e: engineerId, r: reason });
}

export async function declineAssignment(assignmentId: string, reason: string): Promise<void> {
  await gql(`mutation($a: ID!, $r: String!) { declineAssignment(assignmentId: $a, reason: $r) { id } }`, { a: assignmentId, r: reason });
}

export async function previewPlan(region: string): Promise<PlanPreview> {
  const q = `query($r: String!) { dispatchPlanPreview(region: $r) { proposals { incident { id number } engineer { id name } eta distanceKm }
    unassigned { id number } optimalTotalSeconds greedyTotalSeconds greedyAssigned } }`;
  return (await gql<{ dispatchPlanPreview: PlanPreview }>(q, { r: region })).dispatchPlanPreview;
}

export async function applyPlan(region: string): Promise<{ assigned: number; unassigned: number }> {
  const q = `mutation($r: String!) { optimizeDispatch(region: $r) { assignments { id } unassigned { id } } }`;
  const plan = (await gql<{ optimizeDispatch: { assignments: unknown[]; unassigned: unknown[] } }>(q, { r: region })).optimizeDispatch;
  return { assigned: plan.assignments.length, unassigned: plan.unassigned.length };
}

/** regionEventsQuery is the board's live feed. */
export const regionEventsQuery = `subscription($r: String!) { regionEvents(region: $r) {
  incidentEvent { incidentId kind } engineer { ${engineerFields} } } }`;

export interface RegionEventData {
  regionEvents: { incidentEvent: { incidentId: string; kind: string } | null; engineer: BoardEngineer | null };
}
