// The browser tests run in headless Chromium from Debian packages (set
// by AFTERCARE_CHROMIUM) against a running Aftercare stack described by
// the JSON file AFTERCARE_FIXTURE: the Go test TestWebAppInABrowser
// (cmd/aftercare) starts the stack, writes the file and runs them.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/runs',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    launchOptions: { executablePath: process.env.AFTERCARE_CHROMIUM },
    locale: 'en-GB',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
