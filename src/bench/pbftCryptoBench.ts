import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../e2e/browsers';
import { startServer } from '../../server/startServer';
import { benchRow } from './benchRow';
import type { BenchResult } from './report';

const OPERATIONS = 3000;

/** Microseconds per operation, each awaited before the next, for the four primitives. */
interface CryptoCost {
  edSignUs: number;
  edVerifyUs: number;
  hmacSignUs: number;
  hmacVerifyUs: number;
}

/**
 * Runs in Node or in a page (the function is serialised for `page.evaluate`): WebCrypto
 * Ed25519 and HMAC-SHA-256 over a statement the size of a pBFT prepare's signed bytes.
 */
async function measureCryptoCost(operations: number): Promise<CryptoCost> {
  const subtle = globalThis.crypto.subtle;
  const keys = (await subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const mac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const bytes = new TextEncoder().encode(
    `mesh-coordinator/pbft/v1\npbft-prepare\n3\n1234\n${'a'.repeat(64)}\n${'b'.repeat(64)}`,
  );
  const signature = await subtle.sign('Ed25519', keys.privateKey, bytes);
  const tag = await subtle.sign('HMAC', mac, bytes);
  const time = async (run: () => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 200; i++) await run();
    const started = performance.now();
    for (let i = 0; i < operations; i++) await run();
    return ((performance.now() - started) * 1000) / operations;
  };
  return {
    edSignUs: await time(() => subtle.sign('Ed25519', keys.privateKey, bytes)),
    edVerifyUs: await time(() => subtle.verify('Ed25519', keys.publicKey, signature, bytes)),
    hmacSignUs: await time(() => subtle.sign('HMAC', mac, bytes)),
    hmacVerifyUs: await time(() => subtle.verify('HMAC', mac, tag, bytes)),
  };
}

async function inChromium(): Promise<CryptoCost> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page: Page = await browser.newPage();
    // tsx keeps function names with a helper the page does not have; give it one.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    // A page of the server's origin: WebCrypto needs a secure context (loopback is one).
    await page.goto(`${server.url}/healthz`);
    return await page.evaluate(measureCryptoCost, OPERATIONS);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The cost of each way of authenticating pBFT messages (core/pbft/README.md, "Authentication"). */
export async function runPbftCryptoBench(): Promise<BenchResult[]> {
  process.stderr.write('pbft: WebCrypto costs in Node and Chromium\n');
  const node = await measureCryptoCost(OPERATIONS);
  const page = await inChromium();
  const rows: BenchResult[] = [];
  for (const [where, cost] of [
    ['Node', node],
    ['Chromium', page],
  ] as const) {
    const conditions = `${OPERATIONS} sequential awaited WebCrypto calls on a 190-byte statement, ${where}, after 200 warm-up calls; ed25519 sign ${cost.edSignUs.toFixed(1)} µs, HMAC-SHA-256 sign ${cost.hmacSignUs.toFixed(1)} / verify ${cost.hmacVerifyUs.toFixed(1)} µs`;
    rows.push(
      benchRow(`Ed25519 verify, ${where}`, cost.edVerifyUs, 'µs', undefined, undefined, conditions),
    );
    rows.push(
      benchRow(
        `unbatched commit signature work per backup, n = 4, ${where}`,
        cost.edSignUs + 5 * cost.edVerifyUs,
        'µs',
        undefined,
        undefined,
        `one prepare signed, five statements verified (request twice, header, two prepares), from the figures above; MAC vectors would cost ${(cost.hmacSignUs * 3 + 5 * cost.hmacVerifyUs).toFixed(0)} µs`,
      ),
    );
  }
  return rows;
}
