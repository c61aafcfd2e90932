// What the engineer's phone view reads from the API and the actions it
// takes there: every call goes through gql, so failures are ApiErrors.
import { gql } from '../api';

export type JobState = 'PROPOSED' | 'ACCEPTED' | 'EN_ROUTE' | 'ON_SITE' | 'COMPLETED' | 'DECLINED' | 'CANCELLED' | 'OVERRIDDEN';
export type IncidentStatus =
  | 'NEW' | 'TRIAGED' | 'QUOTED' | 'APPROVED' | 'DISPATCHED' | 'EN_ROUTE' | 'ON_SITE' | 'REPAIRED'
  | 'VERIFIED' | 'RESOLVED' | 'CLOSED' | 'AWAITING_CUSTOMER' | 'CANCELLED';

export interface SlaClock {
  kind: 'RESPONSE' | 'ON_SITE' | 'RESTORE';
  state: 'RUNNING' | 'PAUSED' | 'MET' | 'BREACHED';
  deadline: string | null;
  percentUsed: number;
}

export interface InstalledPart {
  id: number;
  fru: string;
  serialNumber: string;
  installedAt: string;
  removed: { serialNumber: string } | null;
}

export interface RepairTest {
  passed: boolean;
  notes: string;
  recordedAt: string;
}

export interface RepairRecord {
  diagnosis: string;
  parts: InstalledPart[];
  tests: RepairTest[];
  passed: boolean;
}

export interface Reservation {
  part: { fru: string; description: string };
  depot: { name: string; city: string } | null;
  quantity: number;
}

export interface Job {
  id: string;
  state: JobState;
  active: boolean;
  eta: string;
  distanceKm: number;
  incident: {
    id: string;
    number: number;
    priority: string;
    symptoms: string;
    status: IncidentStatus;
    slaClocks: SlaClock[];
    repair: RepairRecord;
  };
  site: { name: string; address: string; city: string; lat: number; lng: number };
  parts: Reservation[];
}

const repairFields = `diagnosis passed
  parts { id fru serialNumber installedAt removed { serialNumber } }
  tests { passed notes recordedAt }`;

const jobFields = `id state active eta distanceKm
  incident { id number priority symptoms status
    slaClocks { kind state deadline percentUsed }
    repair { ${repairFields} } }
  site { name address city lat lng }
  parts { part { fru description } depot { name city } quantity }`;

/** loadJobs reads the engineer's jobs, active ones first as the API orders them. */
export async function loadJobs(): Promise<Job[]> {
  const data = await gql<{ myJobs: Job[] }>(`query PhoneJobs { myJobs(first: 20) { ${jobFields} } }`);
  return data.myJobs;
}

/** incidentEventsQuery subscribes to one incident's events; only their arrival matters. */
export const incidentEventsQuery = 'subscription PhoneIncident($id: ID!) { incidentEvents(incidentId: $id) { id kind } }';

export async function acceptJob(id: string): Promise<void> {
  await gql('mutation($id: ID!) { acceptJob(id: $id) { id state } }', { id });
}

export async function declineJob(id: string, reason: string): Promise<void> {
  await gql('mutation($id: ID!, $reason: String!) { declineJob(id: $id, reason: $reason) { reassigned } }', { id, reason });
}

export async function departForJob(id: string): Promise<void> {
  await gql('mutation($id: ID!) { departForJob(id: $id) { id state } }', { id });
}

export async function arriveForJob(id: string, lat: number, lng: number): Promise<void> {
  await gql('mutation($id: ID!, $lat: Float!, $lng: Float!) { arriveForJob(id: $id, lat: $lat, lng: $lng) { id state } }', { id, lat, lng });
}

export async function recordDiagnosis(incidentId: string, diagnosis: string): Promise<void> {
  await gql('mutation($id: ID!, $d: String!) { recordDiagnosis(incidentId: $id, diagnosis: $d) { diagnosis } }', { id: incidentId, d: diagnosis });
}

export interface PartUsed {
  incidentId: string;
  fru: string;
  serialNumber: string;
  removedSerialNumber?: string;
}

export async function recordPartUsed(input: PartUsed): Promise<void> {
  await gql('mutation($in: PartUsedInput!) { recordPartUsed(input: $in) { id } }', { in: input });
}

export async function recordTestResult(incidentId: string, passed: boolean, notes: string): Promise<void> {
  await gql('mutation($id: ID!, $p: Boolean!, $n: String) { recordTestResult(incidentId: $id, passed: $p, notes: $n) { passed } }',
    { id: incidentId, p: passed, n: notes });
}

export async function completeJob(id: string, note: string): Promise<void> {
  await gql('mutation($id: ID!, $note: String) { completeJob(id: $id, note: $note) { id state } }', { id, note: note || null });
}
