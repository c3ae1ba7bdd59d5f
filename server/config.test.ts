import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, OPTIONS, helpText, parseConfig, resolveConfig } from './config';

function ok(argv: string[], env: Record<string, string> = {}) {
  const result = parseConfig(argv, env);
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.config;
}

function error(argv: string[], env: Record<string, string> = {}): string {
  const result = parseConfig(argv, env);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    expect(ok([])).toEqual({
      port: 4444,
      host: '0.0.0.0',
      allowedOrigins: [],
      maxFrameBytes: 65536,
      maxTopicsPerSocket: 64,
      maxMessagesPerSecond: 200,
      messageBurst: 400,
      floodCloseMs: 5000,
      maxSockets: 1024,
      maxSocketsPerAddress: 256,
      maxSubscriptionsPerAddress: 4096,
      maxConnections: 2048,
      maxConnectionsPerAddress: 384,
      requestHeadTimeoutMs: 5000,
      maxSubscribersPerTopic: 256,
      maxBufferedBytes: 1048576,
      heartbeatMs: 30000,
      dist: 'dist',
    });
  });

  it('reads flags in both forms', () => {
    const config = ok([
      '--port',
      '0',
      '--host=127.0.0.1',
      '--allowed-origins',
      'http://a.example, HTTPS://B.example:8443/',
      '--max-frame-bytes=1024',
      '--max-topics-per-socket',
      '8',
      '--max-messages-per-second',
      '50',
      '--max-sockets=10',
      '--max-subscribers-per-topic=5',
      '--heartbeat-ms=0',
      '--dist',
      'build/app',
    ]);
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      allowedOrigins: ['http://a.example', 'https://b.example:8443'],
      maxFrameBytes: 1024,
      maxTopicsPerSocket: 8,
      maxMessagesPerSecond: 50,
      messageBurst: 100,
      maxSockets: 10,
      maxSubscribersPerTopic: 5,
      heartbeatMs: 0,
      dist: 'build/app',
    });
  });

  it('reads the environment, and a flag wins over it', () => {
    const env = {
      PORT: '5000',
      HOST: '::',
      ALLOWED_ORIGINS: 'http://x.example',
      MESSAGE_BURST: '7',
    };
    expect(ok([], env)).toMatchObject({
      port: 5000,
      host: '::',
      allowedOrigins: ['http://x.example'],
      messageBurst: 7,
    });
    expect(ok(['--port', '6000'], env).port).toBe(6000);
  });

  it('ignores empty environment variables and treats * as every origin', () => {
    expect(ok([], { PORT: '', ALLOWED_ORIGINS: '' })).toMatchObject({
      port: 4444,
      allowedOrigins: [],
    });
    expect(ok(['--allowed-origins', 'http://a.example,*']).allowedOrigins).toEqual([]);
  });

  it.each([
    [['--port', 'abc'], '--port must be an integer in 0..65535 (got "abc")'],
    [['--port', '65536'], '--port must be an integer'],
    [['--port', '-1'], '--port must be an integer'],
    [['--port', '1.5'], '--port must be an integer'],
    [['--port', '1e3'], '--port must be an integer'],
    [['--port'], '--port needs a value'],
    [['--max-frame-bytes', '10'], '--max-frame-bytes must be an integer in 256..'],
    [['--max-sockets', '0'], '--max-sockets must be an integer in 1..'],
    [['--heartbeat-ms', 'soon'], '--heartbeat-ms must be an integer'],
    [['--host', ''], '--host must not be empty'],
    [['--allowed-origins', 'example.com'], 'is not an origin'],
    [['--allowed-origins', 'http://a.example/path'], 'is not an origin'],
    [['--frobnicate'], 'unknown argument "--frobnicate"'],
    [['4444'], 'unknown argument "4444"'],
  ])('rejects %j', (argv, message) => {
    expect(error(argv)).toContain(message);
  });

  it('names the variable when the environment is wrong', () => {
    expect(error([], { PORT: 'x' })).toContain('PORT must be an integer');
  });

  it('answers --help with every option, its variable and its default', () => {
    const result = parseConfig(['--port', '1', '--help'], {});
    expect(result.kind).toBe('help');
    const text = helpText();
    for (const spec of OPTIONS) {
      expect(text).toContain(spec.flag);
      expect(text).toContain(spec.env);
    }
    expect(text).toContain('default 4444');
    expect(text).toContain('default 30000');
  });
});

describe('resolveConfig', () => {
  it('fills defaults and derives the burst from the rate', () => {
    expect(resolveConfig({})).toEqual({ ...DEFAULT_CONFIG, allowedOrigins: [] });
    expect(resolveConfig({ maxMessagesPerSecond: 5 }).messageBurst).toBe(10);
    expect(resolveConfig({ maxMessagesPerSecond: 5, messageBurst: 6 }).messageBurst).toBe(6);
    expect(resolveConfig({ allowedOrigins: ['HTTP://A.example/'] }).allowedOrigins).toEqual([
      'http://a.example',
    ]);
  });
});
