// One service call through every role, each in their own browser: corporate
// IT files, the dispatcher assigns on the board, the engineer works the job
// on the phone, and the account manager sees the month's KPI move, live.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { apiAs, dispatcherFor, readyZhang } from './api';
import { fixture, screenshot, signIn } from './fixture';

async function signedIn(browser: Browser, username: string, width = 1500, height = 1000): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB' });
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

/** accountOf names the serial's account and its account manager. */
async function accountOf(serial: string): Promise<{ code: string; manager: string }> {
  const admin = await apiAs('admin');
  const { assetBySerial } = await admin.gql<{ assetBySerial: { account: { id: string; code: string } } }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { account { id code } } }', { s: serial });
  const { contracts } = await admin.gql<{ contracts: { edges: { node: { status: string; accountManager: { username: string } | null } }[] } }>(
    'query($a: ID!) { contracts(accountId: $a, first: 50) { edges { node { status accountManager { username } } } } }',
    { a: assetBySerial.account.id });
  await admin.dispose();
  const manager = contracts.edges.find((e) => e.node.status === 'ACTIVE' && e.node.accountManager)?.node.accountManager?.username;
  expect(manager, 'the account has an account manager').toBeTruthy();
  return { code: assetBySerial.account.code, manager: manager! };
}

test('IT files, the dispatcher assigns on the board, the engineer completes on the phone, the account manager sees the KPI move', async ({ browser }) => {
  const serial = fixture.serials.standard!;
  const { region, zhang } = await readyZhang(serial);
  const account = await accountOf(serial);

  // The account manager's desk is open from the start, and follows live.
  const desk = await signedIn(browser, account.manager);
  const month = desk.locator('.this-month');
  await expect(month).toBeVisible();
  const resolvedBefore = Number(await month.getAttribute('data-resolved'));

  // Corporate IT files the incident.
  const it = await signedIn(browser, `it.${account.code.toLowerCase()}`);
  const { id, number } = await fileAsIT(it, serial);

  // The dispatcher finds it on the board and sends Zhang.
  const board = await signedIn(browser, await dispatcherFor(region));
  const item = board.locator('.queue-item', { hasText: new RegExp(`#${number}\\b`) });
  await expect(item).toBeVisible();
  await item.getByRole('button').click();
  const zhangRow = board.locator(`tr[data-engineer="${zhang}"]`);
  await zhangRow.getByRole('button', { name: 'Assign Zhang Wei' }).click();
  await board.getByLabel('Why this engineer and not the first candidate?').fill('certified on the array, a kilometre away');
  await board.getByRole('button', { name: 'Assign with this reason' }).click();
  await expect(board.locator('.current-assignment')).toContainText('Assigned to Zhang Wei (proposed)');

  // Zhang works it on his phone; the board follows without a reload.
  const phone = await signedIn(browser, 'engineer.zhang', 390, 844);
  const card = phone.locator(`article.phone-job[data-incident="${number}"]`);
  await card.getByRole('button', { name: 'Accept job' }).click();
  await expect(board.locator('.current-assignment')).toContainText('(accepted)');
  await card.getByRole('button', { name: 'Set out' }).click();
  await expect(board.locator('.current-assignment')).toContainText('(en route)');
  await card.getByRole('button', { name: 'I have arrived' }).click();
  await expect(board.locator('.current-assignment')).toContainText('(on site)');
  await card.getByLabel('Diagnosis').fill('Controller battery failed; cache disabled');
  await card.getByRole('button', { name: 'Save diagnosis' }).click();
  await expect(card.getByRole('button', { name: 'Save diagnosis' })).toBeEnabled();
  await card.getByLabel('Passed').check();
  await card.getByLabel('Test notes').fill('cache re-enabled, array healthy');
  await card.getByRole('button', { name: 'Record test' }).click();
  await expect(card.getByTestId('repair-tests')).toContainText('The latest test passed.');
  await card.getByRole('button', { name: 'Complete job' }).click();
  await expect(phone.locator(`li.phone-ended[data-incident="${number}"]`).first()).toContainText('Completed');

  // Corporate IT sees it resolved on the open page; the account manager's
  // month has one more resolved; neither reloads.
  await expect(board.locator('.current-assignment')).toHaveCount(0);
  await expect(it.getByTestId('incident-status')).toHaveText('RESOLVED');
  await expect(month).toHaveAttribute('data-resolved', String(resolvedBefore + 1), { timeout: 30_000 });
  await screenshot(desk, 'journey-desk');
  await expectResolvedForIT(it, id);
});

/** fileAsIT checks the serial's coverage and files a P1 incident for it on the portal, as corporate IT does. */
async function fileAsIT(page: Page, serial: string): Promise<{ id: string; number: number }> {
  await page.getByLabel('Serial number').fill(serial);
  await page.getByRole('button', { name: 'Check coverage' }).click();
  await expect(page.getByTestId('coverage')).toContainText('Covered');
  await page.getByLabel('Priority').selectOption('P1');
  await page.getByLabel('What is wrong').fill('Journey: controller cache disabled');
  await page.getByRole('button', { name: 'File incident' }).click();
  const title = page.locator('#portal-detail-title');
  await expect(title).toBeVisible();
  const number = Number(/#(\d+)/.exec((await title.textContent()) ?? '')?.[1]);
  return { id: new URL(page.url()).searchParams.get('incident')!, number };
}

/** expectResolvedForIT checks, as corporate IT, that the incident is resolved. */
async function expectResolvedForIT(page: Page, id: string) {
  await expect(async () => {
    const res = await page.request.post(new URL('/query', fixture.url).toString(), {
      data: { query: 'query($id: ID!) { incident(id: $id) { status } }', variables: { id } },
    });
    expect(((await res.json()) as { data: { incident: { status: string } } }).data.incident.status).toBe('RESOLVED');
  }).toPass();
}
