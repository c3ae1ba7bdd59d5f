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
 * one Chromium. Our mesh: 8 dashboard tabs (`window.meshShared.doc`, authenticated links, the
 * dashboard running). Stock: 8 `yjs-client.html` pages (the y-webrtc package unchanged) in
 * another room on the same signaling server. Each phase has only its own 8 tabs open; the
 * phases run mesh, stock, mesh (ABBA: the stock phase is twice as long), so a drift in the
 * machine's load over the run weighs on both alike.
 *
 * (b) Join: a mesh of 2 tabs holds a Y.Text of 1,000,000 characters written in 64 KiB pieces; a
 * third tab (fresh context: empty IndexedDB, new identity) opens. The time is from its
 * navigation start (performance.timeOrigin) until its doc holds the full length, stamped in the
 * page by a hook installed before the app's script runs. Repeated with a fresh third tab.
 */

const TABS = 8;
const WARMUP_UPDATES = 5;
/**
 * Updates per phase. The phases run mesh, stock (twice as long), mesh: ABBA, so a drift in the
 * machine's load over the run weighs on both alike; 100 measured updates of each kind in all.
 */
const UPDATES_PER_PHASE = 50;
/** Pause between updates, so each one travels through an otherwise idle mesh. */
const GAP_MS = 30;
const UPDATE_TIMEOUT_MS = 10_000;
const BIG_CHARS = 1_000_000;
const PIECE_CHARS = 64 * 1024;
const JOIN_TRIALS = 5;
const SETTLE_MS = 3000;

/** What the bench keeps in a page. */
interface BenchWindow {
  meshShared?: { doc: DocLike; sync: { peerCount: number }; ready: Promise<void> };
  meshDebug?: { snapshot(): { links: { state: string }[] } };
  yjsClient?: { doc: DocLike; peerCount(): number; provider: StockProvider };
  __benchArrivals?: Record<string, number>;
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

/** Every tab linked to all the others and its document syncing with each. */
async function waitForFullMesh(pages: Page[], kind: Kind): Promise<void> {
  const others = pages.length - 1;
  await Promise.all(
    pages.map((page) =>
      page.waitForFunction(
        ([k, n]) => {
          const w = window as BenchWindow;
          if (k === 'mesh') {
            const open = w.meshDebug?.snapshot().links.filter((l) => l.state === 'open').length;
            return open === n && w.meshShared?.sync.peerCount === n;
          }
          const conns = [...(w.yjsClient?.provider.room?.webrtcConns.values() ?? [])];
          return conns.length === n && conns.every((c) => c.connected && c.synced);
        },
        [kind, others] as const,
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
        w.__benchArrivals = arrivals;
        doc.getMap('bench').observe((event) => {
          const at = performance.timeOrigin + performance.now();
          for (const key of event.keysChanged) if (!(key in arrivals)) arrivals[key] = at;
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
  const result: SpreadResult = { lastMs: [], perPeerMs: [], missed: 0 };
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
          const handle = await page.waitForFunction(
            (k) => (window as BenchWindow).__benchArrivals?.[k],
            key,
            { timeout: UPDATE_TIMEOUT_MS, polling: 5 },
          );
          return (await handle.jsonValue()) as number;
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

async function spreadOf(
  browser: Browser,
  baseUrl: string,
  kind: Kind,
  updates: number,
): Promise<SpreadResult> {
  const room = `bench-doc-${kind}-${Date.now()}`;
  const url =
    kind === 'mesh' ? `${baseUrl}/?room=${room}&ui=0` : `${baseUrl}/yjs-client.html?room=${room}`;
  const opened = await openTabs(browser, url, TABS);
  try {
    progress(`doc bench: ${kind}, ${TABS} tabs `);
    await waitForFullMesh(opened.pages, kind);
    // Let start-up traffic (sync, membership gossip) drain before measuring.
    await opened.pages[0]?.waitForTimeout(SETTLE_MS);
    const spread = await measureSpread(opened.pages, kind, kind, updates);
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
    await waitForFullMesh(holders.pages, 'mesh');
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
    const mesh = await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE);
    const stock = await spreadOf(browser, server.url, 'stock', 2 * UPDATES_PER_PHASE);
    const meshAgain = await spreadOf(browser, server.url, 'mesh', UPDATES_PER_PHASE);
    mesh.lastMs.push(...meshAgain.lastMs);
    mesh.perPeerMs.push(...meshAgain.perPeerMs);
    mesh.missed += meshAgain.missed;
    const joins = await measureJoin(browser, server.url);
    const loadAfter = loadavg()[0] ?? 0;
    return docBenchResults(mesh, stock, joins, [load, loadAfter]);
  } finally {
    await browser?.close();
    await server.close();
  }
}

function docBenchResults(
  mesh: SpreadResult,
  stock: SpreadResult,
  joins: JoinStamps[],
  load: [number, number],
): BenchResult[] {
  const machine = `one headless Chromium, each tab its own browser context, loopback, host ICE candidates only; 1-min load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after`;
  const spread = (s: SpreadResult) =>
    `${TABS} tabs, ${s.lastMs.length} small Y.Map sets (writers take turns, ${GAP_MS} ms apart, ${WARMUP_UPDATES} warm-up per phase dropped; phases mesh ${UPDATES_PER_PHASE}, stock ${2 * UPDATES_PER_PHASE}, mesh ${UPDATES_PER_PHASE}, each phase with only its own tabs open; mesh tabs with ?ui=0, no dashboard, as the stock pages have none), ${s.missed} not seen everywhere within ${UPDATE_TIMEOUT_MS / 1000} s; one clock (timeOrigin + now); ${machine}`;
  const meshP50 = percentile(mesh.lastMs, 50);
  const stockP50 = percentile(stock.lastMs, 50);
  const meshP99 = percentile(mesh.lastMs, 99);
  const stockP99 = percentile(stock.lastMs, 99);
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
      undefined,
      undefined,
      'ratio of the two p99 rows above, same run',
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
