import { expect, test } from '@playwright/test';
import { apiAs, fileIncident, itUserOf } from './api';
import { expectAccessible, fixture, screenshot, signIn, url } from './fixture';
test('corporate IT checks coverage, files, and follows the incident live', async ({ page }) => {
  const serial = fixture.serials.platinum!;
  await page.setViewportSize({ width: 1400, height: 1000 });
  await signIn(page, await itUserOf(serial));
  await expect(page.getByRole('heading', { name: 'Service portal' })).toBeVisible();

  await page.getByLabel('Serial number').fill('NO-SUCH-SERIAL');
  await page.getByRole('button', { name: 'Check coverage' }).click();
  await expect(page.getByRole('alert')).toContainText('That could not be found.');

  await page.getByLabel('Serial number').fill(serial);
  await page.getByRole('button', { name: 'Check coverage' }).click();
  await expect(page.getByTestId('coverage')).toContainText('Covered');
  await expect(page.getByTestId('coverage')).toContainText('PLATINUM');
  await expectAccessible(page);
  await screenshot(page, 'portal');

  await page.getByLabel('What is wrong').fill('Portal test: both PSUs report failure');
  await page.getByLabel('Priority').selectOption('P1');
  await page.getByRole('button', { name: 'File incident' }).click();
  await expect(page.getByTestId('incident-status')).toBeVisible();
  const id = new URL(page.url()).searchParams.get('incident')!;
  await expect(page.getByTestId('events').locator('[data-kind="created"]')).toBeVisible();
  await expect(page.locator('.portal-clocks .clock').first()).toBeVisible();

  // The service desk acknowledges it: the page shows it without a reload.
  const admin = await apiAs('admin');
  await admin.gql('mutation($id: ID!) { acknowledgeIncident(id: $id, note: "on it") { id } }', { id });
  await admin.dispose();
  await expect(page.getByTestId('incident-status')).toHaveText('TRIAGED');
  await expectAccessible(page);
  await screenshot(page, 'portal-incident');
});

test('corporate IT never sees another account, and keeps API keys shown once', async ({ page }) => {
  const own = fixture.serials.platinum!;
  const user = await itUserOf(own);
  const foreignSerial = Object.values(fixture.serials).find((s) => s !== own)!;
  expect(await itUserOf(foreignSerial)).not.toBe(user);
  const foreign = await fileIncident(foreignSerial, 'Portal test: not for other accounts');

  await signIn(page, user);
  await page.goto(url(`/portal?incident=${foreign.id}`));
  await expect(page.getByRole('alert')).toContainText('That could not be found.');
  await expect(page.getByText('Portal test: not for other accounts')).toHaveCount(0);

  await page.goto(url('/portal'));
  await page.getByRole('tab', { name: 'API keys' }).click();
  await page.getByLabel('Name of the new key').fill('cmdb-sync');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByTestId('api-key-secret').textContent();
  expect(secret).toMatch(/^ak_/);
  await page.getByRole('button', { name: 'I have kept it' }).click();
  await expect(page.getByText(secret!)).toHaveCount(0);
  const row = page.locator('li[data-key="cmdb-sync"]').first();
  await expect(row).toContainText('active');
  await row.getByRole('button', { name: 'Revoke cmdb-sync' }).click();
  await row.getByRole('group').getByRole('button', { name: 'Revoke cmdb-sync' }).click();
  await expect(row).toContainText('revoked');
});

test('corporate IT approves a quote for work not covered', async ({ page }) => {
  const serial = fixture.uncoveredSerial;
  expect(serial, 'the demo data has an uncovered asset').toBeTruthy();
  const filed = await fileIncident(serial, 'Portal test: dropped server, chassis bent');
  const admin = await apiAs('admin');
  await expect(async () => {
    await admin.gql('mutation($id: ID!) { acknowledgeIncident(id: $id) { id } }', { id: filed.id });
  }).toPass({ timeout: 30_000 });
  const { createQuote } = await admin.gql<{ createQuote: { id: string } }>(
    'mutation($in: CreateQuoteInput!) { createQuote(input: $in) { id } }',
    { in: { incidentId: filed.id, labourHours: 1.5, callOut: true, parts: [] } });
  await admin.gql('mutation($id: ID!) { sendQuote(id: $id) { id } }', { id: createQuote.id });
  await admin.dispose();

  await signIn(page, filed.itUser);
  await page.goto(url(`/portal?incident=${filed.id}`));
  const quote = page.locator('.portal-quote');
  await expect(quote).toHaveAttribute('data-quote-state', 'SENT');
  await expect(quote).toContainText('Total');
  await expectAccessible(page);
  await quote.getByLabel('Comment (optional) / Why do you reject it?').fill('approved by IT operations');
  await quote.getByRole('button', { name: 'Approve quote' }).click();
  await expect(quote).toHaveAttribute('data-quote-state', 'APPROVED');
  await expect(quote.getByRole('button', { name: 'Approve quote' })).toHaveCount(0);
});
