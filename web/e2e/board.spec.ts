import { expect, test, type Page } from '@playwright/test';
import { apiAs, dispatcherFor, fileIncident, readyZhang } from './api';
import { expectAccessible, fixture, screenshot, signIn } from './fixture';

async function openIncident(page: Page, number: number) {
  const item = page.locator('.queue-item', { hasText: new RegExp(`#${number}\\b`) });
  await expect(item).toBeVisible();
  await item.getByRole('button').click();
  await expect(page.getByRole('heading', { name: `Who can go — #${number}` })).toBeVisible();
}

test('the dispatcher assigns from the board and watches it change live', async ({ page }) => {
  const serial = fixture.serials.standard!;
  const { region, zhang } = await readyZhang(serial);
  const first = await fileIncident(serial, 'Board test: array controller fault');
  const second = await fileIncident(serial, 'Board test: fan failure');

  await page.setViewportSize({ width: 1600, height: 1000 });
  await signIn(page, await dispatcherFor(region));
  await expect(page.getByRole('heading', { name: 'Dispatch board' })).toBeVisible();
  await expect(page.locator('.live-on')).toBeVisible();

  await openIncident(page, first.number);
  const zhangRow = page.locator(`tr[data-engineer="${zhang}"]`);
  await expect(zhangRow).toContainText('Zhang Wei');
  await expect(page.locator('polyline[data-route="best"]')).toHaveCount(1);
  await expect(page.locator('.rejection-counts')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'board');

  // Override: the dispatcher chooses Zhang with a reason.
  await zhangRow.getByRole('button', { name: 'Assign Zhang Wei' }).click();
  await page.getByLabel('Why this engineer and not the first candidate?').fill('knows the site');
  await page.getByRole('button', { name: 'Assign with this reason' }).click();
  await expect(page.locator('.current-assignment')).toContainText('Assigned to Zhang Wei (proposed)');

  // Zhang accepts on his phone: the board shows it without a reload.
  const phone = await apiAs('engineer.zhang');
  const { myJobs } = await phone.gql<{ myJobs: { id: string; incident: { id: string } }[] }>('{ myJobs { id incident { id } } }');
  const job = myJobs.find((j) => j.incident.id === first.id)!;
  await phone.gql('mutation($id: ID!) { acceptJob(id: $id) { id } }', { id: job.id });
  await expect(page.locator('.current-assignment')).toContainText('(accepted)');
  // He reports where he is: his marker moves on the map.
  const marker = page.locator(`rect[data-engineer="${zhang}"]`);
  const before = await marker.getAttribute('x');
  await phone.gql('mutation($lat: Float!, $lng: Float!) { reportLocation(lat: $lat, lng: $lng) { id } }', { lat: 31.5, lng: 120.3 });
  await expect(marker).not.toHaveAttribute('x', before ?? '');
  await phone.dispose();

  // An error from the API reads as a sentence people understand.
  await page.route('**/query', async (route) => {
    if ((route.request().postData() ?? '').includes('dispatchCandidates')) {
      await route.fulfill({ json: { errors: [{ message: 'the dispatch index is rebuilding', extensions: { code: 'EUNAVAILABLE' } }] } });
      return;
    }
    await route.continue();
  });
  await openIncident(page, second.number);
  await expect(page.getByRole('alert')).toContainText('The service is busy for a moment.');
  await page.unroute('**/query');
  await page.getByRole('button', { name: 'Try again' }).click();

  // The best candidate for the second incident, in one click.
  await openIncident(page, second.number);
  await page.getByRole('button', { name: 'Assign the best candidate' }).click();
  await expect(page.locator('.current-assignment')).toContainText('Assigned to');

  // The optimal plan for what is still unassigned, previewed, then applied.
  const third = await fileIncident(serial, 'Board test: planned in a batch');
  await expect(page.locator('.queue-item', { hasText: new RegExp(`#${third.number}\\b`) })).toBeVisible();
  await page.getByRole('button', { name: 'Preview the optimal plan' }).click();
  await expect(page.locator('.plan-preview')).toContainText('Optimal plan:');
  await expect(page.locator('.plan-preview')).toContainText(`#${third.number} →`);
  await page.getByRole('button', { name: 'Apply this plan' }).click();
  await expect(page.locator('.plan')).toContainText('Plan applied:');

  // In Chinese, the same board.
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('heading', { name: '调度看板' })).toBeVisible();
  await screenshot(page, 'board-zh');
});

test('the board never shows another region', async ({ page }) => {
  const serial = fixture.serials.standard!;
  const filed = await fileIncident(serial, 'Board test: not for other regions');
  const admin = await apiAs('admin');
  const { assetBySerial } = await admin.gql<{ assetBySerial: { site: { region: string } } }>(
    'query($s: String!) { assetBySerial(serialNumber: $s) { site { region } } }', { s: serial });
  await admin.dispose();
  const own = assetBySerial.site.region;
  const other = own === 'north' ? 'south' : 'north';

  await page.setViewportSize({ width: 1600, height: 1000 });
  await signIn(page, await dispatcherFor(other));
  await page.goto(new URL(`/board?region=${own}`, fixture.url).toString());
  await expect(page.locator('.live-on')).toBeVisible();
  const regions = await page.getByLabel('Region').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(regions).toEqual([other]);
  await expect(page.locator('.board-status')).toContainText('incidents');
  await expect(page.getByText(`#${filed.number}`)).toHaveCount(0);
});
