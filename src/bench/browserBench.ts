import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../e2e/browsers';
import { startServer } from '../../server/startServer';
import type { LinkSetupTime } from '../adapters/webrtc/meshTransport';
import type { MeshSnapshot } from '../host/meshSnapshot';
import { crashDetectionResults, measureCrashDetection } from './browserCrashBench';
import { percentile } from './percentiles';
import { benchRow } from './benchRow';
import type { BenchResult } from './report';

const SETUP_ROUNDS = 15;
const RTT_PING_INTERVAL_MS = 20;
const RTT_POLLS = 6;
/** 25 crashes x 4 survivors: 100 verdicts, in about five minutes. */
const CRASH_TRIALS = 25;
const CRASH_SEED = 1;
const CRASH_QUIET_MS = 2000;

interface DebugWindow {
  meshDebug?: { selfId: string; snapshot(): MeshSnapshot; setupTimes(): LinkSetupTime[] };
}

async function joinRoom(page: Page, baseUrl: string, room: string, query = ''): Promise<string> {
  await page.goto(`${baseUrl}/?room=${room}${query}`);
  const handle = await page.waitForFunction(() => (window as DebugWindow).meshDebug?.selfId);
  return (await handle.jsonValue()) as string;
}

async function waitForOpenLink(page: Page, peer: string): Promise<void> {
  await page.waitForFunction(
    (other) =>
      (window as DebugWindow).meshDebug
        ?.snapshot()
        .links.some((l) => l.peer === other && l.state === 'open'),
    peer,
    { polling: 5, timeout: 30_000 },
  );
}

/** Two Chromium instances, one tab each, in a fresh room per round: first signal to open. */
async function measureSetup(pages: [Page, Page], baseUrl: string): Promise<LinkSetupTime[]> {
  const times: LinkSetupTime[] = [];
  for (let round = 0; round < SETUP_ROUNDS; round++) {
    const room = `bench-setup-${Date.now()}-${round}`;
    const [idA, idB] = await Promise.all(pages.map((page) => joinRoom(page, baseUrl, room)));
    await Promise.all([
      waitForOpenLink(pages[0], idB as string),
      waitForOpenLink(pages[1], idA as string),
    ]);
    for (const page of pages) {
      const recorded = await page.evaluate(() => (window as DebugWindow).meshDebug!.setupTimes());
      times.push(...recorded.filter((time) => time.initiator));
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return times;
}

/** Application-level ping/pong round trips over one open channel, pings every 20 ms. */
async function measureRoundTrips(pages: [Page, Page], baseUrl: string): Promise<number[]> {
  const room = `bench-rtt-${Date.now()}`;
  const query = `&pingIntervalMs=${RTT_PING_INTERVAL_MS}`;
  const [idA, idB] = await Promise.all(pages.map((page) => joinRoom(page, baseUrl, room, query)));
  await Promise.all([
    waitForOpenLink(pages[0], idB as string),
    waitForOpenLink(pages[1], idA as string),
  ]);
  const samples: number[] = [];
  for (let poll = 0; poll < RTT_POLLS; poll++) {
    // 32 samples are kept per link; at 20 ms a full fresh set takes about 0.65 s.
    await pages[0].waitForTimeout(700);
    const snapshot = await pages[0].evaluate(() => (window as DebugWindow).meshDebug!.snapshot());
    samples.push(...(snapshot.links.find((link) => link.peer === idB)?.recentRttMs ?? []));
  }
  return samples;
}

export async function runBrowserBench(): Promise<BenchResult[]> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  const browsers: Browser[] = [];
  try {
    if (!server.distFound)
      throw new Error('dist/ is missing: run `vite build` first (npm run bench does)');
    const launch = chromiumLaunchOptions();
    for (let i = 0; i < 2; i++) browsers.push(await chromium.launch(launch));
    const pages = (await Promise.all(browsers.map((browser) => browser.newPage()))) as [Page, Page];
    process.stderr.write(`browser bench: ${SETUP_ROUNDS} link setups `);
    const setups = await measureSetup(pages, server.url);
    process.stderr.write('browser bench: round trips\n');
    const rtts = await measureRoundTrips(pages, server.url);
    await Promise.all(browsers.splice(0).map((browser) => browser.close()));
    process.stderr.write(`browser bench: ${CRASH_TRIALS} crashes in a five-tab mesh `);
    const crashes = await measureCrashDetection({
      baseUrl: server.url,
      launch,
      trials: CRASH_TRIALS,
      seed: CRASH_SEED,
      quietMs: CRASH_QUIET_MS,
      verdictTimeoutMs: 30_000,
      progress: (text) => process.stderr.write(text),
    });
    process.stderr.write('\n');
    const conditions =
      'two headless Chromium instances on this machine, loopback, host ICE candidates only';
    const channel = setups.map((time) => time.channelOpenMs);
    const authenticated = setups.map((time) => time.authenticatedMs);
    return [
      benchRow(
        'data channel setup, first signal to open, p50',
        percentile(channel, 50),
        'ms',
        '< 150 ms',
        (v) => v < 150,
        `${conditions}; ${channel.length} links`,
      ),
      benchRow(
        'data channel setup, first signal to open, p95',
        percentile(channel, 95),
        'ms',
        undefined,
        undefined,
        `${conditions}; ${channel.length} links`,
      ),
      benchRow(
        'link setup incl. signed handshake, p50',
        percentile(authenticated, 50),
        'ms',
        undefined,
        undefined,
        `${conditions}; Ed25519 hello both ways`,
      ),
      benchRow(
        'application round trip over an open channel, p50',
        percentile(rtts, 50),
        'ms',
        '< 2 ms',
        (v) => v < 2,
        `${conditions}; ${rtts.length} ping/pong samples at ${RTT_PING_INTERVAL_MS} ms`,
      ),
      benchRow(
        'application round trip over an open channel, p99',
        percentile(rtts, 99),
        'ms',
        undefined,
        undefined,
        `${conditions}; ${rtts.length} samples`,
      ),
      ...crashDetectionResults(crashes, {
        trials: CRASH_TRIALS,
        seed: CRASH_SEED,
        quietMs: CRASH_QUIET_MS,
      }),
    ];
  } finally {
    await Promise.all(browsers.map((browser) => browser.close()));
    await server.close();
  }
}
