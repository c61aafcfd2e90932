// The board's load benchmark (bench/), run by hand against a loaded stack
// (BENCHMARKS.md says how); not part of `make test`.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'bench',
  testMatch: '*.bench.ts',
  outputDir: 'test-results/bench',
  workers: 1,
  timeout: 600_000,
  reporter: [['list']],
  use: { launchOptions: { executablePath: process.env.AFTERCARE_CHROMIUM } },
});
