// What the browser tests know of the stack they run against, and the
// steps every journey shares.
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

interface Fixture {
  url: string;
  passwords: Record<string, string>;
  serials: Record<string, string>;
  uncoveredSerial: string;
}

const path = process.env.AFTERCARE_FIXTURE;
if (!path) {
  throw new Error('AFTERCARE_FIXTURE is not set: run the browser tests through `go test ./cmd/aftercare -run TestWebAppInABrowser`');
}

/** fixture is the stack: its URL, the demo users' passwords, demo serials by tier. */
export const fixture: Fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture;

/** url is an absolute address on the stack. */
export function url(path: string): string {
  return new URL(path, fixture.url).toString();
}

/** signIn signs a demo user in through the sign-in form and waits for their home screen. */
export async function signIn(page: Page, username: string) {
  const password = fixture.passwords[username];
  if (!password) {
    throw new Error(`no demo password for ${username}`);
  }
  await page.goto(url('/'));
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** screenshot keeps a picture of the whole page as a test artefact. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** expectAccessible fails on any serious or critical axe-core violation. */
export async function expectAccessible(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
