import { expect, test } from '@playwright/test';
import { expectAccessible, fixture, screenshot, signIn, url } from './fixture';

test('a wrong password is refused in words people understand, and nothing is kept in storage', async ({ page }) => {
  await page.goto(url('/'));
  await expectAccessible(page);
  await screenshot(page, 'sign-in');
  await page.getByLabel('User name').fill('dispatcher.east');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The user name or password is wrong.');

  await signIn(page, 'dispatcher.east');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  const cookie = (await page.context().cookies()).find((c) => c.name === 'aftercare_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(stored).not.toContain(cookie?.value ?? 'no cookie');
  expect(await page.evaluate(() => document.cookie)).not.toContain('aftercare_session');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('the app speaks Chinese when asked, and the console loads with no internet', async ({ page }) => {
  await page.goto(url('/'));
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(fixture.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) {
      external.push(r.url());
    }
  });
  await page.goto(url('/console/'));
  await expect(page.locator('.graphiql-container')).toBeVisible();
  await expect(page.locator('.graphiql-query-editor .monaco-editor').first()).toBeVisible();
  await screenshot(page, 'console');
  expect(external).toEqual([]);
});
