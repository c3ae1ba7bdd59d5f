import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { loadavg } from 'node:os';
import { chromiumLaunchOptions } from '../../e2e/browsers';
import { startServer } from '../../server/startServer';
import { percentile, round } from './percentiles';
import { benchRow } from './benchRow';
import type { BenchResult } from './report';

/**
 * The shared document in real browsers, our mesh against stock y-webrtc in the same run.
 *
 * (a) Spread: 8 tabs, each in its own browser context of one headless Chromium (so no two share
 * a BroadcastChannel and every update crosses a WebRTC data channel). Writers take turns; each
 * write is one small Y.Map set. The time is from the write to the moment the last of the 7
 * others' `observe` callbacks fires. One clock: every page stamps with
 * `performance.timeOrigin + performance.now()`, the machine's clock in every renderer of the
 * one Chromium. Our mesh: 8 tabs of the app (`window.meshShared.doc`, authenticated links),
 * without the dashboard (`?ui=0`) and with it (`?ui=1`). Stock: 8 `yjs-client.html` pages (the
 * y-webrtc package unchanged) in another room on the same signaling server. Each phase has only
 * its own 8 tabs open; the phases run mesh, mesh with dashboards (`?ui=1`), stock, mesh with
 * dashboards, mesh (a palindrome: the stock phase is twice as long), so a drift in the
 * machine's load over the run weighs on each kind alike. A phase of ours measures once every
 * tab's pBFT and Raft groups formed; each page resolves the bench's wait for an arrival itself,
 * so nothing polls the main threads being measured.
 *
 * (b) Join: a mesh of 2 tabs holds a Y.Text of 1,000,000 characters written in 64 KiB pieces; a
 * third tab (fresh context: empty IndexedDB, new identity) opens. The time is from its
 * navigation start (performance.timeOrigin) until its doc holds the full length, stamped in the
 * page by a hook installed before the app's script runs. Repeated with a fresh third tab.
 */

const TABS = 8;
const WARMUP_UPDATES = 5;
/**
 * Updates per phase of our mesh (the stock phase has twice as many): 200 measured updates of each
 * kind in all, so the p99 is not one stray update.
 */
const UPDATES_PER_PHASE = 100;
/** Pause between updates, so each one travels through an otherwise idle mesh. */
const GAP_MS = 30;
const UPDATE_TIMEOUT_MS = 10_000;
const BIG_CHARS = 1_000_000;
const PIECE_CHARS = 64 * 1024;
const JOIN_TRIALS = 5;
const SETTLE_MS = 3000;
/**
 * Before a spread phase measures: the tabs' start-up (membership gossip, the first renders and
 * layouts of eight dashboards) and the previous phase's eight closing renderers take seconds on a
 * small machine.
 */
const PHASE_SETTLE_MS = 10_000;

/** What the bench keeps in a page. */
interface BenchWindow {
  meshShared?: { doc: DocLike; sync: { peerCount: number }; ready: Promise<void> };
  meshDebug?: {
    snapshot(): {
      links: { state: string }[];
      consensus: { role: string } | null;
      ledger: { status: { role: string; leader: string | null } } | null;
    };
  };
  yjsClient?: { doc: DocLike; peerCount(): number; provider: StockProvider };
  __benchArrivals?: Record<string, number>;
  /** Who waits for a key not yet arrived: the bench awaits arrivals instead of polling for them. */
  __benchWaiters?: Record<string, (atMs: number) => void>;
  __benchJoin?: JoinStamps;
}

interface DocLike {
  getMap(name: string): {
    set(key: string, value: unknown): void;
    observe(fn: (event: { keysChanged: Set<string> }) => void): void;
  };
  getText(name: string): { length: number; insert(index: number, text: string): void };
  transact(fn: () => void): void;
  on(event: 'update', fn: (update: Uint8Array, origin: unknown) => void): void;
}

interface StockProvider {
  room: { webrtcConns: Map<string, { connected: boolean; synced: boolean }> } | null;
}

interface JoinStamps {
  appReadyMs: number | null;
  /** First authenticated link open (polled every 2 ms). */
  linkOpenMs: number | null;
  firstUpdateMs: number | null;
  fullMs: number | null;
}

type Kind = 'mesh' | 'stock';

interface SpreadResult {
  /** Per update: write to the last of the others seeing it. */
  lastMs: number[];
  /** Per update and receiving tab. */
  perPeerMs: number[];
  missed: number;
  /** Per tab and phase: the share of the phase's time its main thread was busy (0-1). */
  busyShares: number[];
}

function progress(text: string): void {
  process.stderr.write(text);
}

async function openTabs(
  browser: Browser,
  url: string,
  count: number,
): Promise<{ contexts: BrowserContext[]; pages: Page[] }> {
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    pages.push(page);
  }
  await Promise.all(pages.map((page) => page.goto(url)));
  return { contexts, pages };
}

/**
 * Every tab linked to all the others and its document syncing with each; in our mesh, with
 * `formed`, its pBFT and Raft groups formed as well (a mesh of fewer than 4 forms no pBFT group).
 */
async function waitForFullMesh(pages: Page[], kind: Kind, formed = true): Promise<void> {
  const others = pages.length - 1;
  await Promise.all(
    pages.map((page) =>
      page.waitForFunction(
        ([k, n, f]) => {
          const w = window as BenchWindow;
          if (k === 'mesh') {
            const snapshot = w.meshDebug?.snapshot();
            if (snapshot === undefined) return false;
            const open = snapshot.links.filter((l) => l.state === 'open').length;
            // The agent's pBFT and Raft groups formed too: forming them is start-up work (a
            // genesis, the replicas' and voters' start) that a steady-state figure leaves out.
            const pbft = snapshot.consensus?.role ?? 'none';
            const raft = snapshot.ledger?.status ?? { role: 'none', leader: 'none' };
            return (
              open === n &&
              w.meshShared?.sync.peerCount === n &&
              (!f ||
                (!['forming', 'joining'].includes(pbft) &&
                  !['forming', 'joining'].includes(raft.role) &&
                  raft.leader !== null))
            );
          }
          const conns = [...(w.yjsClient?.provider.room?.webrtcConns.values() ?? [])];
          return conns.length === n && conns.every((c) => c.connected && c.synced);
        },
        [kind, others, formed] as const,
        { timeout: 90_000, polling: 100 },
      ),
    ),
  );
  await Promise.all(
    pages.map((page) =>
      page.evaluate(async (k) => {
        const w = window as BenchWindow;
        if (k === 'mesh') await w.meshShared?.ready;
        const doc = (k === 'mesh' ? w.meshShared?.doc : w.yjsClient?.doc) as DocLike;
        const arrivals: Record<string, number> = {};
        const waiters: Record<string, (atMs: number) => void> = {};
        w.__benchArrivals = arrivals;
        w.__benchWaiters = waiters;
        doc.getMap('bench').observe((event) => {
          const at = performance.timeOrigin + performance.now();
          for (const key of event.keysChanged) {
            if (key in arrivals) continue;
            arrivals[key] = at;
            waiters[key]?.(at);
          }
        });
      }, kind),
    ),
  );
}

async function measureSpread(
  pages: Page[],
  kind: Kind,
  tag: string,
  updates: number,
): Promise<SpreadResult> {
  const result: SpreadResult = { lastMs: [], perPeerMs: [], missed: 0, busyShares: [] };
  for (let i = 0; i < WARMUP_UPDATES + updates; i++) {
    const key = `${tag}-${i}`;
    const writerIndex = i % pages.length;
    const writer = pages[writerIndex] as Page;
    const others = pages.filter((_, j) => j !== writerIndex);
    const wroteAt = await writer.evaluate(
      ([k, which]) => {
        const w = window as BenchWindow;
        const doc = (which === 'mesh' ? w.meshShared?.doc : w.yjsClient?.doc) as DocLike;
        const at = performance.timeOrigin + performance.now();
        doc.getMap('bench').set(k, at);
        return at;
      },
      [key, kind] as const,
    );
    try {
      const arrivals = await Promise.all(
        others.map(async (page) => {
          // Awaited in the page, not polled: a poll every few ms in 7 tabs would load the very
          // main threads whose delays are measured.
          const at = await page.evaluate(
            ([k, timeoutMs]) =>
              new Promise<number | null>((resolve) => {
                const w = window as BenchWindow;
                const seen = w.__benchArrivals?.[k];
                if (seen !== undefined) return resolve(seen);
                const timer = setTimeout(() => resolve(null), timeoutMs);
                (w.__benchWaiters as Record<string, (atMs: number) => void>)[k] = (atMs) => {
                  clearTimeout(timer);
                  resolve(atMs);
                };
              }),
            [key, UPDATE_TIMEOUT_MS] as const,
          );
          if (at === null) throw new Error(`${key} not seen within ${UPDATE_TIMEOUT_MS} ms`);
          return at;
        }),
      );
      if (i >= WARMUP_UPDATES) {
        const delays = arrivals.map((at) => at - wroteAt);
        result.perPeerMs.push(...delays);
        result.lastMs.push(Math.max(...delays));
      }
    } catch {
      if (i >= WARMUP_UPDATES) result.missed++;
    }
    await writer.waitForTimeout(GAP_MS);
    if (i % 10 === 9) progress('.');
  }
  return result;
}

/**
 * Starts measuring how busy each tab's main thread is (Chromium's TaskDuration); the function
 * returned ends it with each tab's busy share of the time between.
 */
async function busyMeter(pages: Page[]): Promise<() => Promise<number[]>> {
  const sessions = await Promise.all(
    pages.map(async (page) => {
      const session = await page.context().newCDPSession(page);
      await session.send('Performance.enable');
      return session;
    }),
  );
  const taskSeconds = () =>
    Promise.all(
      sessions.map(async (session) => {
        const { metrics } = await session.send('Performance.getMetrics');
        return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
      }),
    );
  const startMs = performance.now();
  const before = await taskSeconds();
  return async () => {
    const after = await taskSeconds();
    const wallSeconds = (performance.now() - startMs) / 1000;
    await Promise.all(sessions.map((session) => session.detach()));
    return after.map((seconds, i) => (seconds - (before[i] ?? Number.NaN)) / wallSeconds);
  };
}

async function spreadOf(
  browser: Browser,
  baseUrl: string,
  kind: Kind,
  updates: number,
  /** Our mesh's tabs with their dashboards rendering (`?ui=1`). */
  dashboards = false,
): Promise<SpreadResult> {
  const room = `bench-doc-${kind}-${Date.now()}`;
  const url =
    kind === 'mesh'
      ? `${baseUrl}/?room=${room}&ui=${dashboards ? 1 : 0}`
      : `${baseUrl}/yjs-client.html?room=${room}`;
  const opened = await openTabs(browser, url, TABS);
  try {
    progress(`doc bench: ${kind}${dashboards ? ' with dashboards' : ''}, ${TABS} tabs `);
    await waitForFullMesh(opened.pages, kind);
    await opened.pages[0]?.waitForTimeout(PHASE_SETTLE_MS);
    const busy = await busyMeter(opened.pages);
    const spread = await measureSpread(opened.pages, kind, kind, updates);
    spread.busyShares.push(...(await busy()));
    progress(
      ` p50 ${round(percentile(spread.lastMs, 50))} ms, p99 ${round(percentile(spread.lastMs, 99))} ms, ` +
        `${spread.missed} missed\n`,
    );
    return spread;
  } finally {
    await Promise.all(opened.contexts.map((context) => context.close()));
  }
}

/**
 * Installed before the app's script: stamps (ms after navigation start) when the app sets
 * `window.meshShared`, when its first link is open and authenticated (polled every 2 ms), when
 * the first update from a peer lands (updates from links carry an
 * origin, the tab's own writes do not) and when the text is full. A string, not a function:
 * tsx's transform would wrap a function's inner closures in a helper the page does not have.
 */
function joinHookScript(bigChars: number): string {
  return `(() => {
    const stamps = { appReadyMs: null, linkOpenMs: null, firstUpdateMs: null, fullMs: null };
    window.__benchJoin = stamps;
    const poll = setInterval(() => {
      const links = window.meshDebug ? window.meshDebug.snapshot().links : [];
      if (links.some((link) => link.state === 'open')) {
        stamps.linkOpenMs = performance.now();
        clearInterval(poll);
      }
    }, 2);
    let shared;
    Object.defineProperty(window, 'meshShared', {
      configurable: true,
      get() { return shared; },
      set(value) {
        shared = value;
        stamps.appReadyMs = performance.now();
        const text = value.doc.getText('big');
        value.doc.on('update', (update, origin) => {
          if (stamps.firstUpdateMs === null && origin !== null && origin !== undefined) {
            stamps.firstUpdateMs = performance.now();
          }
          if (stamps.fullMs === null && text.length >= ${bigChars}) stamps.fullMs = performance.now();
        });
      },
    });
  })();`;
}

async function measureJoin(browser: Browser, baseUrl: string): Promise<JoinStamps[]> {
  const room = `bench-doc-join-${Date.now()}`;
  const url = `${baseUrl}/?room=${room}&ui=0`;
  const holders = await openTabs(browser, url, 2);
  const stamps: JoinStamps[] = [];
  try {
    await waitForFullMesh(holders.pages, 'mesh', false);
    const [a, b] = holders.pages as [Page, Page];
    await a.evaluate(
      ([total, piece]) => {
        const doc = (window as BenchWindow).meshShared?.doc as DocLike;
        const text = doc.getText('big');
        for (let at = 0; at < total; at += piece) {
          text.insert(at, 'x'.repeat(Math.min(piece, total - at)));
        }
      },
      [BIG_CHARS, PIECE_CHARS] as const,
    );
    await b.waitForFunction(
      (total) => (window as BenchWindow).meshShared?.doc.getText('big').length === total,
      BIG_CHARS,
      { timeout: 60_000, polling: 50 },
    );
    progress(`doc bench: ${JOIN_TRIALS} joins of a 1 MB document `);
    for (let trial = 0; trial < JOIN_TRIALS; trial++) {
      await a.waitForTimeout(SETTLE_MS);
      const context = await browser.newContext();
      try {
        await context.addInitScript({ content: joinHookScript(BIG_CHARS) });
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
        await page.goto(url);
        await page.waitForFunction(() => (window as BenchWindow).__benchJoin?.fullMs, undefined, {
          timeout: 60_000,
          polling: 50,
        });
        stamps.push((await page.evaluate(() => (window as BenchWindow).__benchJoin)) as JoinStamps);
      } finally {
        await context.close();
      }
      progress('.');
    }
    progress('\n');
  } finally {
    await Promise.all(holders.contexts.map((context) => context.close()));
  }
  return stamps;
}

export async function runBrowserDocBench(): Promise<BenchResult[]> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  let browser: Browser | null = null;
  try {
    if (!server.distFound) {
      throw new Error('dist/ is missing: run `vite build` first (npm run bench does)');
    }
    browser = await chromium.launch(chromiumLaunchOptions());
    const load = loadavg()[0] ?? 0;
    // Phases in a palindrome, so a drift in the machine's load weighs on each kind alike.
    const mesh = await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE);
    const shown = await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE, true);
    const stock = await spreadOf(browser, server.url, 'stock', 2 * UPDATES_PER_PHASE);
    joinSpread(shown, await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE, true));
    joinSpread(mesh, await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE));
    const joins = await measureJoin(browser, server.url);
    const loadAfter = loadavg()[0] ?? 0;
    return docBenchResults({ mesh, shown, stock }, joins, [load, loadAfter]);
  } finally {
    await browser?.close();
    await server.close();
  }
}

/** The mean busy share of a kind's tabs, in percent. */
function busyPercent(spread: SpreadResult): number {
  const shares = spread.busyShares;
  return (100 * shares.reduce((sum, share) => sum + share, 0)) / shares.length;
}

/** Adds `more`, a second phase of the same kind, to `into`. */
function joinSpread(into: SpreadResult, more: SpreadResult): void {
  into.lastMs.push(...more.lastMs);
  into.perPeerMs.push(...more.perPeerMs);
  into.missed += more.missed;
  into.busyShares.push(...more.busyShares);
}

function docBenchResults(
  spreads: { mesh: SpreadResult; shown: SpreadResult; stock: SpreadResult },
  joins: JoinStamps[],
  load: [number, number],
): BenchResult[] {
  const { mesh, shown, stock } = spreads;
  const machine = `one headless Chromium, each tab its own browser context, loopback, host ICE candidates only; 1-min load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after`;
  const spread = (s: SpreadResult) =>
    `${TABS} tabs, ${s.lastMs.length} small Y.Map sets (writers take turns, ${GAP_MS} ms apart, ${WARMUP_UPDATES} warm-up per phase dropped; phases mesh ${UPDATES_PER_PHASE}, mesh with dashboards ${UPDATES_PER_PHASE}, stock ${2 * UPDATES_PER_PHASE}, mesh with dashboards ${UPDATES_PER_PHASE}, mesh ${UPDATES_PER_PHASE}, each phase with only its own tabs open; mesh tabs with ?ui=0, no dashboard, as the stock pages have none, except the dashboard phases' ?ui=1), ${s.missed} not seen everywhere within ${UPDATE_TIMEOUT_MS / 1000} s; one clock (timeOrigin + now); ${machine}`;
  const meshP50 = percentile(mesh.lastMs, 50);
  const stockP50 = percentile(stock.lastMs, 50);
  const meshP99 = percentile(mesh.lastMs, 99);
  const stockP99 = percentile(stock.lastMs, 99);
  const shownP50 = percentile(shown.lastMs, 50);
  const shownP99 = percentile(shown.lastMs, 99);
  const full = joins.map((j) => j.fullMs ?? Number.NaN);
  const linked = joins.map((j) => j.firstUpdateMs ?? Number.NaN);
  const ready = joins.map((j) => j.appReadyMs ?? Number.NaN);
  const linkOpen = joins.map((j) => j.linkOpenMs ?? Number.NaN);
  const transfer = joins.map((j) => (j.fullMs ?? Number.NaN) - (j.linkOpenMs ?? Number.NaN));
  const joinConditions = `a 3rd tab (fresh context) joins 2 tabs holding a Y.Text of ${BIG_CHARS.toLocaleString('en-US')} chars written in 64 KiB pieces; navigation start to full length in its doc; all tabs ?ui=0 (no dashboard); ${joins.length} trials; ${machine}`;
  return [
    benchRow(
      'doc update to all 8 tabs, our mesh, p50',
      meshP50,
      'ms',
      '< 10 ms',
      (v) => v < 10,
      spread(mesh),
    ),
    benchRow(
      'doc update to all 8 tabs, our mesh, p99',
      meshP99,
      'ms',
      undefined,
      undefined,
      spread(mesh),
    ),
    benchRow(
      'doc update to all 8 tabs, stock y-webrtc, p50',
      stockP50,
      'ms',
      undefined,
      undefined,
      spread(stock),
    ),
    benchRow(
      'doc update to all 8 tabs, stock y-webrtc, p99',
      stockP99,
      'ms',
      undefined,
      undefined,
      spread(stock),
    ),
    benchRow(
      'doc update to all 8 tabs, ours / stock, p50',
      meshP50 / stockP50,
      'x',
      '≤ 0.8x',
      (v) => v <= 0.8,
      'ratio of the two p50 rows above, same run',
    ),
    benchRow(
      'doc update to all 8 tabs, ours / stock, p99',
      meshP99 / stockP99,
      'x',
      '≤ 0.8x',
      (v) => v <= 0.8,
      'ratio of the two p99 rows above, same run',
    ),
    benchRow(
      'doc update to all 8 tabs, our mesh with the dashboard in every tab (?ui=1), p50',
      shownP50,
      'ms',
      undefined,
      undefined,
      spread(shown),
    ),
    benchRow(
      'doc update to all 8 tabs, our mesh with the dashboard in every tab (?ui=1), p99',
      shownP99,
      'ms',
      undefined,
      undefined,
      spread(shown),
    ),
    benchRow(
      'doc update to all 8 tabs, dashboards on / off, p50',
      shownP50 / meshP50,
      'x',
      '≤ 1.25x',
      (v) => v <= 1.25,
      'ratio of the ?ui=1 and ?ui=0 p50 rows, same run',
    ),
    benchRow(
      'doc update to all 8 tabs, dashboards on / off, p99',
      shownP99 / meshP99,
      'x',
      '≤ 1.25x',
      (v) => v <= 1.25,
      'ratio of the ?ui=1 and ?ui=0 p99 rows, same run',
    ),
    benchRow(
      'doc update to all 8 tabs, ours with dashboards / stock, p99',
      shownP99 / stockP99,
      'x',
      undefined,
      undefined,
      'ratio of the ?ui=1 p99 row and the stock p99 row, same run',
    ),
    benchRow(
      'main thread busy per tab during the spread, our mesh',
      busyPercent(mesh),
      `% (with dashboards ${round(busyPercent(shown))} %, stock ${round(busyPercent(stock))} %)`,
      undefined,
      undefined,
      'mean over the tabs and phases of each kind of Chromium TaskDuration over the phase time, measured over the measured updates',
    ),
    benchRow(
      'doc update to one tab, our mesh / stock y-webrtc, p50',
      percentile(mesh.perPeerMs, 50),
      `ms (stock ${round(percentile(stock.perPeerMs, 50))} ms)`,
      undefined,
      undefined,
      'every (update, receiver) pair of the runs above',
    ),
    benchRow(
      'new tab syncs a 1 MB document, p50',
      percentile(full, 50),
      'ms',
      '< 1 s',
      (v) => v < 1000,
      joinConditions,
    ),
    benchRow(
      'new tab syncs a 1 MB document, worst',
      Math.max(...full),
      'ms',
      undefined,
      undefined,
      joinConditions,
    ),
    benchRow(
      'new tab: navigation to app started, p50',
      percentile(ready, 50),
      'ms',
      undefined,
      undefined,
      'same trials: when window.meshShared was set',
    ),
    benchRow(
      'new tab: navigation to first authenticated link, p50',
      percentile(linkOpen, 50),
      'ms',
      undefined,
      undefined,
      'same trials: first link open with the signed handshake done (polled every 2 ms)',
    ),
    benchRow(
      'new tab: navigation to first remote update, p50',
      percentile(linked, 50),
      'ms',
      undefined,
      undefined,
      'same trials: first doc update from a peer; the 1 MB comes as one sync step 2, so this is usually the full document',
    ),
    benchRow(
      'new tab: first link to full 1 MB document, p50',
      percentile(transfer, 50),
      'ms',
      undefined,
      undefined,
      'same trials: sync step 1/2 exchange and the chunked, paced transfer of the 1 MB step 2',
    ),
  ];
}
