// API calls the browser tests make behind the page's back, as a demo user
// of their own: to set up what a journey starts from, or to act as
// someone else while the page watches.
import { request, type APIRequestContext } from '@playwright/test';
import { fixture } from './fixture';

/** Api is a signed-in API session of one demo user. */
export interface Api {
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  dispose(): Promise<void>;
}

/** apiAs signs a demo user in on a request context of its own. */
export async function apiAs(username: string): Promise<Api> {
  const ctx: APIRequestContext = await request.newContext({ baseURL: fixture.url });
  const res = await ctx.post('/auth/sign-in', { data: { username, password: fixture.passwords[username] } });
  if (!res.ok()) {
    throw new Error(`sign in as ${username}: ${res.status()} ${await res.text()}`);
  }
  return {
    async gql<T>(query: string, variables: Record<string, unknown> = {}) {
      const r = await ctx.post('/query', { data: { query, variables } });
      const body = (await r.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) {
        throw new Error(`${username}: ${body.errors.map((e) => e.message).join('; ')}`);
      }
      return body.data as T;
    },
    dispose: () => ctx.dispose(),
  };
}

/** fileIncident files a P1 incident for a serial as its account's corporate IT, and returns its ID and number. */
export async function fileIncident(serial: string, symptoms: string): Promise<{ id: string; number: number; itUser: string }> {
  const admin = await apiAs('admin');
  const asset = await admin.gql<{ assetBySerial: { account: { code: string } } }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { account { code } } }', { s: serial });
  await admin.dispose();
  const itUser = `it.${asset.assetBySerial.account.code.toLowerCase()}`;
  const it = await apiAs(itUser);
  const filed = await it.gql<{ createIncident: { id: string; number: number } }>(
    'mutation($in: CreateIncidentInput!) { createIncident(input: $in) { id number } }',
    { in: { serialNumber: serial, priority: 'P1', category: 'HARDWARE_FAILURE', symptoms,
      contact: { name: 'Zhao Lei', email: 'zhao.lei@example.com', phone: '+86 10 5555 0199' }, clientRequestId: crypto.randomUUID() } });
  await it.dispose();
  return { ...filed.createIncident, itUser };
}

/**
 * dispatcherFor returns a dispatcher of a region who can sign in: the demo
 * one, or one the admin creates for the test (with a password it sets and
 * adds to the fixture's).
 */
export async function dispatcherFor(region: string): Promise<string> {
  const demo = `dispatcher.${region}`;
  if (fixture.passwords[demo]) {
    return demo;
  }
  const username = `${demo}.e2e`;
  const password = 'board journey password';
  const admin = await apiAs('admin');
  const { users } = await admin.gql<{ users: { edges: { node: { id: string; username: string } }[] } }>(
    '{ users(role: DISPATCHER, first: 500) { edges { node { id username } } } }');
  let id = users.edges.find((e) => e.node.username === username)?.node.id;
  if (!id) {
    const created = await admin.gql<{ createUser: { id: string } }>('mutation($in: CreateUserInput!) { createUser(input: $in) { id } }', {
      in: { username, displayName: `Dispatcher ${region}`, email: `${username}@example.com`, role: 'DISPATCHER', domains: [`region:${region}`] },
    });
    id = created.createUser.id;
  }
  await admin.gql('mutation($id: ID!, $pw: String!) { setUserPassword(id: $id, password: $pw) { id } }', { id, pw: password });
  await admin.dispose();
  fixture.passwords[username] = password;
  return username;
}

interface Setup {
  region: string;
  zhang: string;
}

/**
 * readyZhang puts engineer.zhang (ENG-00001) on duty at a serial's site:
 * in its region, certified on its product line, on shift around the clock,
 * a kilometre away, so that the board can send him whatever the hour the
 * test runs at.
 */
export async function readyZhang(serial: string): Promise<Setup> {
  const admin = await apiAs('admin');
  const { assetBySerial: asset } = await admin.gql<{ assetBySerial: { productLine: string; site: { region: string; lat: number; lng: number } } }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { productLine site { region lat lng } } }', { s: serial });
  const { engineers } = await admin.gql<{ engineers: { edges: { node: { id: string; code: string } }[] } }>(
    '{ engineers(first: 5) { edges { node { id code } } } }');
  const zhang = engineers.edges.find((e) => e.node.code === 'ENG-00001')!.node.id;
  const days = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
  await admin.gql('mutation($id: ID!, $in: UpdateEngineerInput!) { updateEngineer(id: $id, input: $in) { id } }', {
    id: zhang,
    in: { region: asset.site.region, tierClearance: 'PLATINUM', capacity: 8, skills: [{ productLine: asset.productLine, level: 3 }],
      shifts: days.map((day) => ({ day, start: '00:00', end: '24:00' })) },
  });
  await admin.gql('mutation($e: ID!, $lat: Float!, $lng: Float!) { reportLocation(engineerId: $e, lat: $lat, lng: $lng) { id } }',
    { e: zhang, lat: asset.site.lat + 0.009, lng: asset.site.lng });
  await admin.dispose();
  return { region: asset.site.region, zhang };
}


/** itUserOf is the corporate IT user of the account that owns a serial number. */
export async function itUserOf(serial: string): Promise<string> {
  const admin = await apiAs('admin');
  const { assetBySerial } = await admin.gql<{ assetBySerial: { account: { code: string } } }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { account { code } } }', { s: serial });
  await admin.dispose();
  return `it.${assetBySerial.account.code.toLowerCase()}`;
}
