import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/browsers';

const port = Number(process.env['E2E_PORT'] ?? 4455);

/**
 * Chromium is the system one (no browser downloads here). Firefox and WebKit run too when a user
 * has Playwright's builds installed and names them: E2E_BROWSERS=chromium,firefox,webkit.
 */
const wanted = (process.env['E2E_BROWSERS'] ?? 'chromium').split(',').map((name) => name.trim());
/** The soak (e2e/soak) reads each run's results from a JSON report and keeps each run's output. */
const jsonReport = process.env['E2E_JSON_REPORT'];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Each spec starts several browser instances; on two cores they run one spec at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter:
    jsonReport === undefined ? [['list']] : [['list'], ['json', { outputFile: jsonReport }]],
  outputDir: process.env['E2E_OUTPUT_DIR'] ?? 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `node --import tsx server/main.ts --port ${port} --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: !process.env['CI'],
    stdout: 'pipe',
    timeout: 60_000,
  },
  projects: [
    ...(wanted.includes('chromium')
      ? [
          {
            name: 'chromium',
            use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() },
          },
        ]
      : []),
    ...(wanted.includes('firefox')
      ? [{ name: 'firefox', use: { ...devices['Desktop Firefox'] } }]
      : []),
    ...(wanted.includes('webkit')
      ? [{ name: 'webkit', use: { ...devices['Desktop Safari'] } }]
      : []),
  ],
});
