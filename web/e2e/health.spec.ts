import { expect, test } from '@playwright/test';
import { apiAs, dispatcherFor, itUserOf } from './api';
import { expectAccessible, fixture, screenshot, signIn } from './fixture';

/** failingDrive is six days of a drive losing sectors: reallocated 0 → 48, then 12 pending. */
function failingDrive(serial: string, slot: number) {
  const now = Date.now();
  return Array.from({ length: 7 }, (_, day) => ({
    serialNumber: serial, component: 'DRIVE', slot, takenAt: new Date(now - (6 - day) * 86_400_000).toISOString(),
    reallocatedSectors: day * 8, pendingSectors: day === 6 ? 12 : 0,
  }));
}

interface Report {
  reportHealth: { accepted: number; warnings: { id: number; reasons: string; incident: { number: number } | null }[] };
}

test('a platinum drive foretelling its failure files an incident corporate IT sees, and IT dismisses the warning with a reason', async ({ page }) => {
  const serial = fixture.serials.platinum!;
  const slot = 10 + Math.floor(Math.random() * 240); // a component of its own on every run
  const itUser = await itUserOf(serial);
  const it = await apiAs(itUser);
  const report = await it.gql<Report>(
    'mutation($r: [HealthReadingInput!]!) { reportHealth(readings: $r) { accepted warnings { id reasons incident { number } } } }',
    { r: failingDrive(serial, slot) });
  await it.dispose();
  expect(report.reportHealth.accepted).toBe(7);
  const warning = report.reportHealth.warnings[0]!;
  expect(warning.reasons).toContain('reallocated sectors 0 → 48 in 6 days');
  expect(warning.incident, 'platinum monitors: the warning filed an incident').not.toBeNull();

  await page.setViewportSize({ width: 1400, height: 1000 });
  await signIn(page, itUser);
  await page.getByRole('tab', { name: 'Device health' }).click();
  const row = page.locator(`tr[data-warning="${warning.id}"]`);
  await expect(row).toContainText('reallocated sectors 0 → 48 in 6 days; pending sectors 12');
  await expect(row.getByRole('link', { name: `#${warning.incident!.number}` })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'portal-health');

  await row.getByRole('button', { name: 'Dismiss…' }).click();
  await row.getByLabel('Why is this not a failure coming?').fill('Drive swapped by our own staff yesterday');
  await row.getByRole('button', { name: 'Dismiss warning' }).click();
  await expect(row).toContainText('dismissed: Drive swapped by our own staff yesterday');
  await row.getByRole('link', { name: `#${warning.incident!.number}` }).click();
  await expect(page.getByText(`Predicted drive failure (slot ${slot})`)).toBeVisible();
});

test("a dispatcher opens the region's parts plan, reads why, and applies it to the reorder points", async ({ page }) => {
  await page.setViewportSize({ width: 1500, height: 1000 });
  await signIn(page, await dispatcherFor('east'));
  await page.getByRole('link', { name: 'Parts plan' }).click();
  await expect(page.getByRole('heading', { name: 'Parts plan' })).toBeVisible();
  const totals = page.locator('.plan-summary table');
  await expect(totals.getByRole('row', { name: /Recommended, planned before the replayed weeks/ })).toBeVisible();
  await expect(totals.getByRole('row', { name: /Today's stock in the depot and its vans, kept one for one/ })).toBeVisible();
  const lines = page.locator('table.plan-lines tbody tr');
  await expect(lines.first()).toBeVisible();
  const first = lines.first();
  const fru = await first.getAttribute('data-fru');
  const depot = await first.getAttribute('data-depot');
  await first.locator('summary').click();
  await expect(first.getByText(/used over 26 weeks; SBA/)).toBeVisible();
  const level = (await first.locator('td.level').innerText()).split('→')[0]!.trim();
  await expectAccessible(page);
  await screenshot(page, 'parts-plan');

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Apply to reorder points' }).click();
  await expect(page.getByRole('status')).toContainText(/\d+ reorder points set\./);
  const applied = page.locator(`table.plan-lines tr[data-fru="${fru}"][data-depot="${depot}"]`);
  await expect(applied.locator('td').nth(5)).toHaveText(new RegExp(`/ ${level}$`));

  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('heading', { name: '备件计划' })).toBeVisible();
  await screenshot(page, 'parts-plan-zh');
});
