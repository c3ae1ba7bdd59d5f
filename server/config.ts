import { DEFAULT_MAX_SIGNALING_FRAME_BYTES } from '../src/core/wire/signaling';

/** Everything the server can be told. Limits are per socket unless named otherwise. */
export interface ServerConfig {
  port: number;
  host: string;
  /** Exact origins (scheme://host[:port]) allowed to open a WebSocket; empty = all. */
  allowedOrigins: string[];
  maxFrameBytes: number;
  maxTopicsPerSocket: number;
  maxMessagesPerSecond: number;
  /** Token bucket capacity: messages a socket may send at once before the rate applies. */
  messageBurst: number;
  /** The flood window: a socket dropping frames in half of its 100 ms slots is closed. */
  floodCloseMs: number;
  maxSockets: number;
  /** WebSockets from one client address (an IPv6 client's /64 counts as one address). */
  maxSocketsPerAddress: number;
  /** Topic subscriptions over all sockets of one client address. */
  maxSubscriptionsPerAddress: number;
  /** Open TCP connections of any kind (HTTP and WebSocket), checked before the upgrade. */
  maxConnections: number;
  /** Open TCP connections from one client address. */
  maxConnectionsPerAddress: number;
  /** A connection that has not sent a whole request head this long after it opened is cut. */
  requestHeadTimeoutMs: number;
  maxSubscribersPerTopic: number;
  /** A socket whose unsent output grows past this is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** WebSocket ping interval; 0 turns the heartbeat off. */
  heartbeatMs: number;
  /** Folder with the built app (vite build output). */
  dist: string;
}

export const DEFAULT_CONFIG: Readonly<ServerConfig> = Object.freeze({
  port: 4444,
  host: '0.0.0.0',
  allowedOrigins: [],
  maxFrameBytes: DEFAULT_MAX_SIGNALING_FRAME_BYTES,
  maxTopicsPerSocket: 64,
  maxMessagesPerSecond: 200,
  messageBurst: 400,
  floodCloseMs: 5000,
  maxSockets: 1024,
  // A quarter of the server per client address: one client cannot take it, while a classroom
  // behind one NAT (tens of students, a few tabs each) still fits.
  maxSocketsPerAddress: 256,
  maxSubscriptionsPerAddress: 4096,
  maxConnections: 2048,
  // Its sockets plus room for page loads.
  maxConnectionsPerAddress: 384,
  requestHeadTimeoutMs: 5000,
  maxSubscribersPerTopic: 256,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 30_000,
  dist: 'dist',
});

type Kind = 'int' | 'string' | 'origins';

interface OptionSpec {
  key: keyof ServerConfig;
  flag: string;
  env: string;
  kind: Kind;
  min?: number;
  max?: number;
  help: string;
}

/** The options table: flags, environment variables, bounds and help text in one place. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'port',
    flag: '--port',
    env: 'PORT',
    kind: 'int',
    min: 0,
    max: 65535,
    help: 'TCP port; 0 picks a free one',
  },
  {
    key: 'host',
    flag: '--host',
    env: 'HOST',
    kind: 'string',
    help: 'interface to bind; 0.0.0.0 lets LAN browsers in',
  },
  {
    key: 'allowedOrigins',
    flag: '--allowed-origins',
    env: 'ALLOWED_ORIGINS',
    kind: 'origins',
    help: 'comma list of origins allowed to open a WebSocket; empty = all',
  },
  {
    key: 'maxFrameBytes',
    flag: '--max-frame-bytes',
    env: 'MAX_FRAME_BYTES',
    kind: 'int',
    min: 256,
    max: 16 * 1024 * 1024,
    help: 'largest signaling frame (UTF-8 bytes)',
  },
  {
    key: 'maxTopicsPerSocket',
    flag: '--max-topics-per-socket',
    env: 'MAX_TOPICS_PER_SOCKET',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'topics one socket may subscribe to',
  },
  {
    key: 'maxMessagesPerSecond',
    flag: '--max-messages-per-second',
    env: 'MAX_MESSAGES_PER_SECOND',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'sustained frames per second per socket',
  },
  {
    key: 'messageBurst',
    flag: '--message-burst',
    env: 'MESSAGE_BURST',
    kind: 'int',
    min: 1,
    max: 10_000_000,
    help: 'frames per socket allowed at once',
  },
  {
    key: 'floodCloseMs',
    flag: '--flood-close-ms',
    env: 'FLOOD_CLOSE_MS',
    kind: 'int',
    min: 1,
    max: 3_600_000,
    help: 'close a socket that drops frames in half of the 100 ms slots of this window',
  },
  {
    key: 'maxSockets',
    flag: '--max-sockets',
    env: 'MAX_SOCKETS',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'open WebSockets in total',
  },
  {
    key: 'maxSocketsPerAddress',
    flag: '--max-sockets-per-address',
    env: 'MAX_SOCKETS_PER_ADDRESS',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'open WebSockets from one client address (IPv6: one /64)',
  },
  {
    key: 'maxSubscriptionsPerAddress',
    flag: '--max-subscriptions-per-address',
    env: 'MAX_SUBSCRIPTIONS_PER_ADDRESS',
    kind: 'int',
    min: 1,
    max: 100_000_000,
    help: 'topic subscriptions over all sockets of one client address',
  },
  {
    key: 'maxConnections',
    flag: '--max-connections',
    env: 'MAX_CONNECTIONS',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'open TCP connections (HTTP and WebSocket), held below the descriptor limit',
  },
  {
    key: 'maxConnectionsPerAddress',
    flag: '--max-connections-per-address',
    env: 'MAX_CONNECTIONS_PER_ADDRESS',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'open TCP connections from one client address',
  },
  {
    key: 'requestHeadTimeoutMs',
    flag: '--request-head-timeout-ms',
    env: 'REQUEST_HEAD_TIMEOUT_MS',
    kind: 'int',
    min: 100,
    max: 600_000,
    help: 'cut a connection that has not sent a whole request head this long after opening',
  },
  {
    key: 'maxSubscribersPerTopic',
    flag: '--max-subscribers-per-topic',
    env: 'MAX_SUBSCRIBERS_PER_TOPIC',
    kind: 'int',
    min: 1,
    max: 1_000_000,
    help: 'sockets subscribed to one topic',
  },
  {
    key: 'maxBufferedBytes',
    flag: '--max-buffered-bytes',
    env: 'MAX_BUFFERED_BYTES',
    kind: 'int',
    min: 1024,
    max: 1024 * 1024 * 1024,
    help: 'unsent bytes queued to one socket before it is closed',
  },
  {
    key: 'heartbeatMs',
    flag: '--heartbeat-ms',
    env: 'HEARTBEAT_MS',
    kind: 'int',
    min: 0,
    max: 3_600_000,
    help: 'WebSocket ping interval; a socket silent for a round is closed; 0 = off',
  },
  { key: 'dist', flag: '--dist', env: 'DIST', kind: 'string', help: 'folder with the built app' },
];

export type ConfigResult =
  | { kind: 'ok'; config: ServerConfig }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

function formatDefault(spec: OptionSpec): string {
  if (spec.key === 'messageBurst') return '2 x rate';
  const value = DEFAULT_CONFIG[spec.key];
  if (Array.isArray(value)) return value.length === 0 ? '(all)' : value.join(',');
  return String(value);
}

export function helpText(): string {
  const lines = [
    'Usage: tsx server/main.ts [options]',
    '',
    'Serves the built app from --dist and relays y-webrtc signaling over WebSocket on any path.',
    'Every option can also come from the environment variable shown; a flag wins over it.',
    '',
  ];
  const label = (spec: OptionSpec) => `${spec.flag} <${spec.kind === 'int' ? 'n' : 'value'}>`;
  const width = Math.max(...OPTIONS.map((spec) => label(spec).length)) + 2;
  for (const spec of OPTIONS) {
    lines.push(`  ${label(spec).padEnd(width)}${spec.help}`);
    lines.push(`  ${''.padEnd(width)}(env ${spec.env}, default ${formatDefault(spec)})`);
  }
  lines.push(`  ${'--help'.padEnd(width)}print this and exit`);
  return lines.join('\n');
}

/** Normalises an origin for comparison: lower case, no trailing slash. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

type Parsed =
  { ok: true; value: ServerConfig[keyof ServerConfig] } | { ok: false; message: string };

function parseValue(spec: OptionSpec, raw: string, source: string): Parsed {
  switch (spec.kind) {
    case 'int': {
      const text = raw.trim();
      const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        return {
          ok: false,
          message: `${source} must be an integer in ${min}..${max} (got ${JSON.stringify(raw)})`,
        };
      }
      return { ok: true, value };
    }
    case 'string': {
      if (raw.trim().length === 0) {
        return { ok: false, message: `${source} must not be empty` };
      }
      return { ok: true, value: raw.trim() };
    }
    case 'origins': {
      const origins = raw
        .split(',')
        .map(normalizeOrigin)
        .filter((origin) => origin.length > 0);
      for (const origin of origins) {
        if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/.test(origin)) {
          return {
            ok: false,
            message: `${source}: ${JSON.stringify(origin)} is not an origin like http://host:port`,
          };
        }
      }
      return { ok: true, value: origins.includes('*') ? [] : origins };
    }
  }
}

/**
 * Reads the configuration from command-line flags (`--name value` or `--name=value`) and the
 * environment; a flag wins over its variable. Pure: the caller prints and exits.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ConfigResult {
  const fromFlags = new Map<OptionSpec, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help', text: helpText() };
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS.find((candidate) => candidate.flag === name);
    if (!spec) return { kind: 'error', message: `unknown argument ${JSON.stringify(arg)}` };
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined) return { kind: 'error', message: `${spec.flag} needs a value` };
    fromFlags.set(spec, raw);
  }

  const config: ServerConfig = { ...DEFAULT_CONFIG, allowedOrigins: [] };
  const values = config as unknown as Record<string, unknown>;
  let burstGiven = false;
  for (const spec of OPTIONS) {
    const flagValue = fromFlags.get(spec);
    const envValue = env[spec.env];
    let raw: string | undefined;
    let source: string;
    if (flagValue !== undefined) {
      raw = flagValue;
      source = spec.flag;
    } else if (envValue !== undefined && (envValue.trim() !== '' || spec.kind === 'origins')) {
      raw = envValue;
      source = spec.env;
    } else continue;
    const parsed = parseValue(spec, raw, source);
    if (!parsed.ok) return { kind: 'error', message: parsed.message };
    values[spec.key] = parsed.value;
    if (spec.key === 'messageBurst') burstGiven = true;
  }
  if (!burstGiven) config.messageBurst = 2 * config.maxMessagesPerSecond;
  return { kind: 'ok', config };
}

/** Fills in defaults for a partial config (tests, benches); the burst follows the rate. */
export function resolveConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  const maxMessagesPerSecond = partial.maxMessagesPerSecond ?? DEFAULT_CONFIG.maxMessagesPerSecond;
  return {
    ...DEFAULT_CONFIG,
    ...partial,
    allowedOrigins: (partial.allowedOrigins ?? []).map(normalizeOrigin),
    maxMessagesPerSecond,
    messageBurst: partial.messageBurst ?? 2 * maxMessagesPerSecond,
  };
}
