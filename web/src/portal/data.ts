// What corporate IT's portal reads and changes; the API keeps it to the
// caller's own account.
import { gql } from '../api';
import { clockFields, type Clock } from '../ui/clock';

export interface Coverage {
  covered: boolean;
  inWarranty: boolean;
  warrantyEndsOn: string;
  contractNumber: string | null;
  tier: string;
  entitlements: string[];
  reason: string;
  needsQuote: boolean;
}

export interface Incident {
  id: string;
  number: number;
  priority: string;
  status: string;
  tier: string;
  symptoms: string;
  createdAt: string;
  asset: { serialNumber: string; model: string };
  site: { name: string; city: string };
}

export interface Quote {
  id: string;
  state: string;
  total: { amount: string; currency: string };
  lines: { line: number; description: string; quantity: number; total: { amount: string; currency: string } }[];
  validUntil: string | null;
}

export interface Detail extends Incident {
  slaClocks: Clock[];
  events: { id: string; kind: string; toStatus: string | null; reason: string; at: string }[];
  quotes: Quote[];
}

export interface ApiKey {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

const incidentFields = 'id number priority status tier symptoms createdAt asset { serialNumber model } site { name city }';

export async function checkCoverage(serial: string): Promise<Coverage> {
  const d = await gql<{ entitlementCheck: Coverage }>(`query($s: String!) { entitlementCheck(serialNumber: $s) {
    covered inWarranty warrantyEndsOn contractNumber tier entitlements reason needsQuote } }`, { s: serial });
  return d.entitlementCheck;
}

export async function fileIncident(input: Record<string, unknown>): Promise<{ id: string; number: number }> {
  const d = await gql<{ createIncident: { id: string; number: number } }>(
    'mutation($in: CreateIncidentInput!) { createIncident(input: $in) { id number } }', { in: input });
  return d.createIncident;
}

export async function loadIncidents(): Promise<Incident[]> {
  const d = await gql<{ incidents: { edges: { node: Incident }[] } }>(`{ incidents(first: 100) { edges { node { ${incidentFields} } } } }`);
  return d.incidents.edges.map((e) => e.node);
}

export async function loadDetail(id: string): Promise<Detail | null> {
  const d = await gql<{ incident: Detail | null }>(`query($id: ID!) { incident(id: $id) { ${incidentFields}
    slaClocks { ${clockFields} } events { id kind toStatus reason at }
    quotes { id state validUntil total { amount currency } lines { line description quantity total { amount currency } } } } }`, { id });
  return d.incident;
}

export async function decideQuote(id: string, approve: boolean, text: string): Promise<void> {
  if (approve) {
    await gql('mutation($id: ID!, $n: String) { approveQuote(id: $id, note: $n) { id } }', { id, n: text || null });
  } else {
    await gql('mutation($id: ID!, $r: String!) { rejectQuote(id: $id, reason: $r) { id } }', { id, r: text });
  }
}

export async function loadKeys(): Promise<ApiKey[]> {
  return (await gql<{ apiKeys: ApiKey[] }>('{ apiKeys { id name createdAt revokedAt } }')).apiKeys;
}

export async function createKey(name: string): Promise<string> {
  const d = await gql<{ createApiKey: { secret: string } }>('mutation($n: String!) { createApiKey(name: $n) { secret } }', { n: name });
  return d.createApiKey.secret;
}

export async function revokeKey(id: string): Promise<void> {
  await gql('mutation($id: ID!) { revokeApiKey(id: $id) }', { id });
}
