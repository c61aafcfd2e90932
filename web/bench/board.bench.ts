// How long until the dispatcher's board is usable: from navigation to the
// region's queue listed, every engineer drawn on the map and the live feed
// connected, in headless Chromium against a running stack. Beside it, in
// the same run, the floor: the same three reads over HTTP from Node with
// nothing rendered. Each is measured ROUNDS times, interleaved.
import { test, request } from '@playwright/test';
import { fixture, signIn, url } from '../e2e/fixture';

const rounds = Number(process.env.ROUNDS ?? 7);
const region = process.env.REGION ?? 'east';
const dispatcher = process.env.DISPATCHER ?? 'dispatcher.east';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;

test('board usable', async ({ page, browser }) => {
  await signIn(page, dispatcher);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const api = await request.newContext({ baseURL: fixture.url });
  await api.post('/auth/sign-in', { data: { username: dispatcher, password: fixture.passwords[dispatcher] } });
  const engineersQuery = `query($r: String!, $after: String) { engineers(region: $r, first: 500, after: $after) { edges { node {
    id code name lat lng locatedAt capacity load onShiftNow skills { productLine level } currentJobs { id state incident { number } } } }
    pageInfo { hasNextPage endCursor } } }`;

  const usable: number[] = [];
  const cpu: number[] = [];
  const floor: number[] = [];
  let queued = 0;
  let drawn = 0;
  for (let i = 0; i < rounds; i++) {
    const before = await cdp.send('Performance.getMetrics');
    await page.goto(url(`/board?region=${region}`));
    await page.locator('.live-on').waitFor();
    await page.locator('.queue-item').first().waitFor();
    const expected = await page.evaluate(async () => {
      for (;;) {
        const m = /(\d+) engineers/.exec(document.querySelector('.board-status')?.textContent ?? '');
        const n = m ? Number(m[1]) : 0;
        if (n > 0 && document.querySelectorAll('.map-engineer').length === n) return n;
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    const at = await page.evaluate(() => performance.now());
    const after = await cdp.send('Performance.getMetrics');
    const task = (m: typeof after) => m.metrics.find((x) => x.name === 'TaskDuration')?.value ?? 0;
    usable.push(at);
    cpu.push((task(after) - task(before)) * 1000);
    queued = await page.locator('.queue-item').count();
    drawn = expected;

    const started = Date.now();
    const reads = [
      api.post('/query', { data: { query: `{ dispatchQueue(region: "${region}", first: 500) { incident { id number slaClocks { kind deadline percentUsed } } } }` } }),
      api.post('/query', { data: { query: `{ depots(region: "${region}", first: 500) { edges { node { id lat lng } } } }` } }),
      (async () => {
        let after: string | null = null;
        for (;;) {
          const r = await api.post('/query', { data: { query: engineersQuery, variables: { r: region, after } } });
          const page = (await r.json()).data.engineers;
          if (!page.pageInfo.hasNextPage) return;
          after = page.pageInfo.endCursor;
        }
      })(),
    ];
    await Promise.all(reads);
    floor.push(Date.now() - started);
  }
  console.log(`region ${region}: ${queued} incidents in the queue, ${drawn} engineers drawn, ${rounds} rounds`);
  console.log(`board usable (navigation to queue, map and live feed): ${fmt(usable)}`);
  console.log(`browser main-thread busy time per load: ${fmt(cpu)}`);
  console.log(`floor, the three reads over HTTP from Node with nothing rendered: ${fmt(floor)}`);
  await api.dispose();
  void browser;
});
