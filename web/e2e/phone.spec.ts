// The engineer's phone view: a job filed by a customer and given to
// engineer.zhang is worked on a 390 px phone from the offer to completion.
import { expect, test, type Page } from '@playwright/test';
import { apiAs, type Api } from './api';
import { expectAccessible, fixture, screenshot, signIn } from './fixture';

type Session = Api;

/** session signs a demo user in through the API on a request context of its own. */
const session = apiAs;

interface Asset {
  productLine: string;
  account: { code: string };
  site: { name: string; region: string; lat: number; lng: number };
}

interface Given {
  incidentId: string;
  number: number;
  siteName: string;
  fru: string | null;
}

const days = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** zhangAtSite finds engineer.zhang's engineer and puts him on duty a kilometre from the asset's site. */
async function zhangAtSite(admin: Session, asset: Asset): Promise<string> {
  const { engineers } = await admin.gql<{ engineers: { edges: { node: { id: string; login: { username: string } | null } }[] } }>(
    '{ engineers(first: 500) { edges { node { id login { username } } } } }');
  const zhang = engineers.edges.find((e) => e.node.login?.username === 'engineer.zhang')?.node.id;
  expect(zhang, 'engineer.zhang has an engineer').toBeTruthy();
  await admin.gql('mutation($id: ID!, $in: UpdateEngineerInput!) { updateEngineer(id: $id, input: $in) { id } }', {
    id: zhang,
    in: { region: asset.site.region, tierClearance: 'PLATINUM', capacity: 8, skills: [{ productLine: asset.productLine, level: 3 }],
      shifts: days.map((day) => ({ day, start: '00:00', end: '24:00' })) },
  });
  await admin.gql('mutation($e: ID!, $lat: Float!, $lng: Float!) { reportLocation(engineerId: $e, lat: $lat, lng: $lng) { id } }',
    { e: zhang, lat: asset.site.lat + 0.009, lng: asset.site.lng });
  return zhang!;
}

/** stockedPart is a part of the product line that a depot of the region has on hand, so the job reserves one; null if none. */
async function stockedPart(admin: Session, asset: Asset): Promise<string | null> {
  const { parts } = await admin.gql<{ parts: { edges: { node: { fru: string; stock: { edges: { node: { available: number; depot: { region: string } | null } }[] } } }[] } }>(
    'query($p: String!) { parts(productLine: $p, first: 50) { edges { node { fru stock(first: 100) { edges { node { available depot { region } } } } } } } }',
    { p: asset.productLine });
  const found = parts.edges.find((e) => e.node.stock.edges.some((s) => s.node.depot?.region === asset.site.region && s.node.available > 1));
  return found?.node.fru ?? null;
}

/** giveZhang files an incident for a serial as the asset's customer IT and sees that engineer.zhang holds it. */
async function giveZhang(serial: string, symptoms: string): Promise<Given> {
  const admin = await session('admin');
  const { assetBySerial: asset } = await admin.gql<{ assetBySerial: Asset }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { productLine account { code } site { name region lat lng } } }', { s: serial });
  const zhang = await zhangAtSite(admin, asset);
  const fru = await stockedPart(admin, asset);

  const it = await session(`it.${asset.account.code.toLowerCase()}`);
  const { createIncident: filed } = await it.gql<{ createIncident: { id: string; number: number } }>(
    'mutation($in: CreateIncidentInput!) { createIncident(input: $in) { id number } }',
    { in: { serialNumber: serial, priority: 'P2', category: 'HARDWARE_FAILURE', symptoms,
      contact: { name: 'Zhao Lei', email: 'zhao.lei@example.com', phone: '+86 10 5555 0199' },
      clientRequestId: crypto.randomUUID(), ...(fru ? { parts: [{ fru, quantity: 1 }] } : {}) } });
  await it.dispose();

  // Filing may dispatch on its own, to zhang or to someone else: give it to zhang unless he holds it.
  const holder = async () => {
    const { incident } = await admin.gql<{ incident: { assignments: { state: string; engineer: { id: string } }[] } }>(
      'query($i: ID!) { incident(id: $i) { assignments { state engineer { id } } } }', { i: filed.id });
    return incident.assignments.find((a) => ['PROPOSED', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE'].includes(a.state))?.engineer.id ?? null;
  };
  await expect.poll(holder, { timeout: 10_000 }).not.toBeNull().catch(() => undefined);
  if ((await holder()) !== zhang) {
    await admin.gql('mutation($i: ID!, $e: ID!) { overrideAssignment(incidentId: $i, engineerId: $e, reason: "phone journey test") { id } }',
      { i: filed.id, e: zhang });
  }
  await admin.dispose();
  return { incidentId: filed.id, number: filed.number, siteName: asset.site.name, fru };
}

function jobCard(page: Page, number: number) {
  return page.locator(`article.phone-job[data-incident="${number}"]`);
}

async function expectNoSidewaysScroll(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
});

test('an engineer works a job on the phone from the offer to completion', async ({ page }) => {
  const job = await giveZhang(fixture.serials.platinum!, 'Phone test: SSD reports predictive failure');
  await signIn(page, 'engineer.zhang');
  await expect(page.getByRole('heading', { level: 1, name: 'My jobs' })).toBeVisible();

  const card = jobCard(page, job.number);
  await expect(card.getByRole('heading', { name: `Incident #${job.number}` })).toBeVisible();
  await expect(card.getByTestId('job-state')).toHaveText('Offered to you');
  await expect(card).toContainText(job.siteName);
  await expect(card).toContainText('SSD reports predictive failure');
  if (job.fru) {
    await expect(card).toContainText(job.fru);
  }
  // The clocks count down on the phone, second by second.
  const restore = card.getByTestId('clock-RESTORE');
  await expect(restore).toContainText(/left|overdue/);
  const before = await restore.textContent();
  await expect(restore).not.toHaveText(before ?? '');

  await expectNoSidewaysScroll(page);
  await expectAccessible(page);
  await screenshot(page, 'phone-jobs');

  // A change made elsewhere shows without a reload: the dispatcher raises the priority.
  const admin = await session('admin');
  await admin.gql('mutation($id: ID!) { changeIncidentPriority(id: $id, priority: P1, reason: "site down") { id } }', { id: job.incidentId });
  await admin.dispose();
  await expect(card.locator('.phone-priority')).toHaveText('P1');

  await card.getByRole('button', { name: 'Accept job' }).click();
  await expect(card.getByTestId('job-state')).toHaveText('Accepted');
  await card.getByRole('button', { name: 'Set out' }).click();
  await expect(card.getByTestId('job-state')).toHaveText('On the way');
  await expect(card.getByTestId('incident-status')).toHaveText('En route');

  // The test browser shares no location, so the site's own is reported, and the phone says so.
  await card.getByRole('button', { name: 'I have arrived' }).click();
  await expect(card.getByTestId('job-state')).toHaveText('On site');
  await expect(page.getByRole('status').filter({ hasText: 'site’s own location' })).toBeVisible();

  // Completing before the repair is recorded is refused by the server, in words people understand.
  await card.getByRole('button', { name: 'Complete job' }).click();
  await expect(card.getByRole('alert')).toContainText('no longer possible');
  await expect(card.getByRole('alert')).toContainText('Details:');

  await card.getByLabel('Diagnosis').fill('SSD in bay 2 failed its SMART self-test');
  await card.getByRole('button', { name: 'Save diagnosis' }).click();
  await expect(card.getByTestId('repair-diagnosis')).toHaveText('SSD in bay 2 failed its SMART self-test');
  await expect(card.getByRole('alert')).toHaveCount(0);

  if (job.fru) {
    await card.getByLabel('Part (FRU)').selectOption(job.fru);
    const serial = `PH${Date.now()}`;
    await card.getByLabel('Serial number of the new part').fill(serial);
    await card.getByLabel('Serial number of the failed part (if removed)').fill(`OLD${Date.now()}`);
    await card.getByRole('button', { name: 'Record part used' }).click();
    await expect(card.getByTestId('repair-parts')).toContainText(`${job.fru}, serial ${serial}`);
  } else {
    await expect(card).toContainText('No parts were reserved for this job.');
  }

  await card.getByLabel('Passed').check();
  await card.getByLabel('Test notes').fill('array rebuilt, all disks green');
  await card.getByRole('button', { name: 'Record test' }).click();
  await expect(card.getByTestId('repair-tests')).toContainText('Passed');
  await expect(card.getByTestId('repair-tests')).toContainText('The latest test passed.');
  await expectNoSidewaysScroll(page);
  await screenshot(page, 'phone-job-on-site');

  await card.getByLabel('Closing note (optional)').fill('SSD replaced, customer signed off');
  await card.getByRole('button', { name: 'Complete job' }).click();
  await expect(card).toHaveCount(0);
  const ended = page.locator(`li.phone-ended[data-incident="${job.number}"]`).first();
  await expect(ended).toContainText('Completed');
});

test('declining needs a reason: the form says so, then the job leaves the engineer', async ({ page }) => {
  const job = await giveZhang(fixture.serials.platinum!, 'Phone test: fan noise');
  await signIn(page, 'engineer.zhang');
  const card = jobCard(page, job.number);
  await expect(card.getByTestId('job-state')).toHaveText('Offered to you');

  await card.getByRole('button', { name: 'Decline…' }).click();
  await card.getByRole('button', { name: 'Decline job' }).click();
  await expect(card.getByRole('alert')).toHaveText('Give a reason for declining the job.');
  await expect(card.getByLabel('Why are you declining?')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  await card.getByLabel('Why are you declining?').fill('my van is at the workshop today');
  await card.getByRole('button', { name: 'Decline job' }).click();
  await expect(page.getByRole('status').filter({ hasText: `You declined incident #${job.number}.` })).toBeVisible();
  await expect(card).toHaveCount(0);
  await expect(page.locator(`li.phone-ended[data-incident="${job.number}"]`).first()).toContainText('Declined');

  // The same screen in Chinese.
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('heading', { level: 1, name: '我的工单' })).toBeVisible();
  await expect(page.locator(`li.phone-ended[data-incident="${job.number}"]`).first()).toContainText('已拒绝');
  await expectNoSidewaysScroll(page);
});
