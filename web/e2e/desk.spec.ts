import { expect, test } from '@playwright/test';
import { apiAs } from './api';
import { expectAccessible, screenshot, signIn } from './fixture';

interface Contracts {
  contracts: { edges: { node: { number: string; accountManager: { username: string } | null } }[] };
}

test("the account manager's desk shows their accounts only, with KPIs drawn as charts", async ({ page }) => {
  const admin = await apiAs('admin');
  const all = await admin.gql<Contracts>('{ contracts(first: 500) { edges { node { number accountManager { username } } } } }');
  await admin.dispose();
  const mine = all.contracts.edges.filter((e) => e.node.accountManager?.username === 'am.li').map((e) => e.node.number);
  const theirs = all.contracts.edges.filter((e) => e.node.accountManager?.username === 'am.chen').map((e) => e.node.number);
  expect(mine.length).toBeGreaterThan(0);
  expect(theirs.length).toBeGreaterThan(0);

  await page.setViewportSize({ width: 1400, height: 1000 });
  await signIn(page, 'am.li');
  await expect(page.getByRole('heading', { name: 'Account desk' })).toBeVisible();
  const contracts = page.locator('section', { has: page.getByRole('heading', { name: 'My accounts and contracts' }) });
  for (const number of mine) {
    await expect(contracts.getByRole('cell', { name: number, exact: true })).toBeVisible();
  }
  for (const number of theirs) {
    await expect(page.getByText(number, { exact: true })).toHaveCount(0);
  }
  await expect(page.locator('.kpi-chart canvas')).toHaveCount(2);
  await expect(page.getByRole('table', { name: 'KPI figures by month' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Incidents at risk (75 % or more of a clock used)' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'My notifications' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'desk');

  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('heading', { name: '客户经理工作台' })).toBeVisible();
  await screenshot(page, 'desk-zh');
});
