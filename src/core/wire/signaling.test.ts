import { describe, expect, it } from 'vitest';
import { createSeededPrng, type Prng } from '../base/prng';
import {
  DEFAULT_MAX_SIGNALING_FRAME_BYTES,
  MAX_SIGNALING_JSON_DEPTH,
  MAX_SIGNALING_TOPIC_CHARS,
  MAX_SIGNALING_TOPICS_PER_FRAME,
  SIGNALING_ERROR_CODES,
  encodeSignalingMessage,
  parseSignalingClientMessage,
  parseSignalingServerMessage,
  signalingError,
  utf8ByteLength,
} from './signaling';

const MAX = DEFAULT_MAX_SIGNALING_FRAME_BYTES;

function client(text: string, maxBytes = MAX) {
  return parseSignalingClientMessage(text, maxBytes);
}

function server(text: string, maxBytes = MAX) {
  return parseSignalingServerMessage(text, maxBytes);
}

function codeOf(result: { ok: boolean; code?: string }): string | undefined {
  return result.ok ? undefined : result.code;
}

describe('DEFAULT_MAX_SIGNALING_FRAME_BYTES', () => {
  it('is 64 KiB', () => {
    expect(DEFAULT_MAX_SIGNALING_FRAME_BYTES).toBe(65536);
  });
});

describe('parseSignalingClientMessage: valid frames', () => {
  it('parses subscribe and drops duplicate topics and extra fields', () => {
    expect(client('{"type":"subscribe","topics":["a","b","a"],"extra":1}')).toEqual({
      ok: true,
      msg: { type: 'subscribe', topics: ['a', 'b'] },
    });
  });

  it('parses unsubscribe, including an empty topic list', () => {
    expect(client('{"type":"unsubscribe","topics":["room"]}')).toEqual({
      ok: true,
      msg: { type: 'unsubscribe', topics: ['room'] },
    });
    expect(client('{"type":"unsubscribe","topics":[]}')).toEqual({
      ok: true,
      msg: { type: 'unsubscribe', topics: [] },
    });
  });

  it('parses ping', () => {
    expect(client('{"type":"ping"}')).toEqual({ ok: true, msg: { type: 'ping' } });
  });

  it('keeps every field of a publish (y-webrtc signal and announce payloads)', () => {
    const signal = {
      type: 'publish',
      topic: 'room-1',
      data: { type: 'signal', from: 'p1', to: 'p2', token: 0.5, signal: { sdp: 'v=0\r\n' } },
    };
    expect(client(JSON.stringify(signal))).toEqual({ ok: true, msg: signal });
  });

  it('accepts a topic of exactly the maximum length and non-ASCII topics', () => {
    const longest = 'x'.repeat(MAX_SIGNALING_TOPIC_CHARS);
    expect(client(JSON.stringify({ type: 'subscribe', topics: [longest, 'päivä 🌍'] }))).toEqual({
      ok: true,
      msg: { type: 'subscribe', topics: [longest, 'päivä 🌍'] },
    });
  });

  it('keeps a "__proto__" field as data and does not change the prototype', () => {
    const result = client('{"type":"publish","topic":"t","__proto__":{"polluted":true}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.msg)).toBe(Object.prototype);
    expect((result.msg as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parseSignalingClientMessage: rejected frames', () => {
  it.each([
    ['', 'malformed-json'],
    ['{', 'malformed-json'],
    ['{"type":"ping"', 'malformed-json'],
    ["{'type':'ping'}", 'malformed-json'],
    ['null', 'bad-field'],
    ['42', 'bad-field'],
    ['"ping"', 'bad-field'],
    ['[{"type":"ping"}]', 'bad-field'],
    ['{}', 'bad-field'],
    ['{"type":7}', 'bad-field'],
    ['{"type":null}', 'bad-field'],
    ['{"type":"PING"}', 'unknown-type'],
    ['{"type":"pong"}', 'unknown-type'],
    ['{"type":"toString"}', 'unknown-type'],
    ['{"type":"__proto__"}', 'unknown-type'],
    ['{"type":"subscribe"}', 'bad-field'],
    ['{"type":"subscribe","topics":"room"}', 'bad-field'],
    ['{"type":"subscribe","topics":{"0":"room","length":1}}', 'bad-field'],
    ['{"type":"subscribe","topics":[1]}', 'bad-field'],
    ['{"type":"subscribe","topics":[""]}', 'bad-field'],
    ['{"type":"subscribe","topics":["ok",null]}', 'bad-field'],
    ['{"type":"unsubscribe","topics":[["nested"]]}', 'bad-field'],
    ['{"type":"publish"}', 'bad-field'],
    ['{"type":"publish","topic":""}', 'bad-field'],
    ['{"type":"publish","topic":5}', 'bad-field'],
    ['{"type":"publish","topic":["a"]}', 'bad-field'],
  ])('%s -> %s', (text, code) => {
    const result = client(text);
    expect(result.ok).toBe(false);
    expect(codeOf(result)).toBe(code);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
  });

  it('rejects a topic one character over the limit', () => {
    const tooLong = 'x'.repeat(MAX_SIGNALING_TOPIC_CHARS + 1);
    expect(codeOf(client(JSON.stringify({ type: 'subscribe', topics: [tooLong] })))).toBe(
      'bad-field',
    );
    expect(codeOf(client(JSON.stringify({ type: 'publish', topic: tooLong })))).toBe('bad-field');
  });

  it('bounds the number of topics in one frame', () => {
    const topics = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    const atLimit = client(
      JSON.stringify({ type: 'subscribe', topics: topics(MAX_SIGNALING_TOPICS_PER_FRAME) }),
    );
    expect(atLimit.ok).toBe(true);
    const over = client(
      JSON.stringify({ type: 'subscribe', topics: topics(MAX_SIGNALING_TOPICS_PER_FRAME + 1) }),
    );
    expect(codeOf(over)).toBe('too-many-topics');
  });

  it('does not take "type" or "topics" from the prototype chain', () => {
    expect(codeOf(client('{"topics":["a"]}'))).toBe('bad-field');
  });
});

describe('nesting depth', () => {
  const nested = (levels: number) =>
    `{"type":"publish","topic":"t","d":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it('accepts frames nested up to the limit and rejects one level more', () => {
    // The frame object itself is level 1.
    expect(client(nested(MAX_SIGNALING_JSON_DEPTH - 1)).ok).toBe(true);
    expect(codeOf(client(nested(MAX_SIGNALING_JSON_DEPTH)))).toBe('bad-field');
    expect(codeOf(server(nested(MAX_SIGNALING_JSON_DEPTH).replace('{', '{"clients":1,')))).toBe(
      'bad-field',
    );
  });

  it('accepts a typical y-webrtc signal frame', () => {
    const frame = {
      type: 'publish',
      topic: 'room',
      data: {
        type: 'signal',
        from: 'a',
        to: 'b',
        token: 1,
        signal: { type: 'candidate', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0 } },
      },
    };
    expect(client(JSON.stringify(frame))).toEqual({ ok: true, msg: frame });
  });
});

describe('frame size', () => {
  it('measures UTF-8 bytes like TextEncoder', () => {
    const samples = [
      '',
      'abc',
      'ä',
      '€',
      '🌍',
      'a🌍b',
      '\ud800',
      '\udc00x',
      '\ud800\ud800',
      'x\u07ff',
    ];
    for (const sample of samples) {
      expect(utf8ByteLength(sample)).toBe(new TextEncoder().encode(sample).length);
    }
  });

  it('accepts a frame of exactly maxBytes and rejects one byte more, counting UTF-8 bytes', () => {
    const frameOf = (pad: string) => `{"type":"ping","pad":"${pad}"}`;
    const base = utf8ByteLength(frameOf(''));
    const limit = base + 6;
    expect(client(frameOf('€€'), limit).ok).toBe(true); // 6 bytes, 2 code units
    expect(codeOf(client(frameOf('€€a'), limit))).toBe('frame-too-large');
    expect(codeOf(client(frameOf('🌍🌍'), limit))).toBe('frame-too-large'); // 8 bytes
    expect(client(frameOf('aaaaaa'), limit).ok).toBe(true);
    expect(codeOf(client(frameOf('aaaaaaa'), limit))).toBe('frame-too-large');
  });

  it('checks size before parsing', () => {
    expect(codeOf(client('x'.repeat(MAX + 1)))).toBe('frame-too-large');
    expect(codeOf(client('x'.repeat(MAX)))).toBe('malformed-json');
  });

  it('treats a nonsensical limit as zero instead of throwing', () => {
    expect(codeOf(client('{"type":"ping"}', Number.NaN))).toBe('frame-too-large');
    expect(codeOf(client('{"type":"ping"}', -1))).toBe('frame-too-large');
    expect(client('{"type":"ping"}', Number.POSITIVE_INFINITY).ok).toBe(false);
  });
});

describe('parseSignalingServerMessage', () => {
  it('parses a delivery with clients, a pong and an error', () => {
    const delivery = { type: 'publish', topic: 'r', clients: 3, data: { type: 'announce' } };
    expect(server(JSON.stringify(delivery))).toEqual({ ok: true, msg: delivery });
    expect(server('{"type":"pong"}')).toEqual({ ok: true, msg: { type: 'pong' } });
    const error = signalingError('rate-limited', 'slow down');
    expect(server(encodeSignalingMessage(error))).toEqual({ ok: true, msg: error });
  });

  it('accepts error codes it does not know (a newer server)', () => {
    expect(server('{"type":"error","code":"new-code","message":""}')).toEqual({
      ok: true,
      msg: { type: 'error', code: 'new-code', message: '' },
    });
  });

  it.each([
    ['{"type":"publish","topic":"r"}', 'bad-field'],
    ['{"type":"publish","topic":"r","clients":-1}', 'bad-field'],
    ['{"type":"publish","topic":"r","clients":1.5}', 'bad-field'],
    ['{"type":"publish","topic":"r","clients":"2"}', 'bad-field'],
    ['{"type":"publish","clients":2}', 'bad-field'],
    ['{"type":"error","message":"m"}', 'bad-field'],
    ['{"type":"error","code":"","message":"m"}', 'bad-field'],
    ['{"type":"error","code":"c"}', 'bad-field'],
    ['{"type":"error","code":"c","message":5}', 'bad-field'],
    ['{"type":"subscribe","topics":["a"]}', 'unknown-type'],
    ['{"type":"ping"}', 'unknown-type'],
    ['[]', 'bad-field'],
    ['nope', 'malformed-json'],
  ])('%s -> %s', (text, code) => {
    expect(codeOf(server(text))).toBe(code);
  });

  it('round-trips every error code our server sends', () => {
    for (const code of SIGNALING_ERROR_CODES) {
      const parsed = server(encodeSignalingMessage(signalingError(code, `about ${code}`)));
      expect(parsed).toEqual({ ok: true, msg: { type: 'error', code, message: `about ${code}` } });
    }
  });
});

// ---- fuzz-ish: random garbage never throws and always yields a well-formed result ----

const ALPHABET =
  '{}[]":,\\ \n\t0123456789.eE+-truefalsnl"typesubcribpuhgtoi\u00e9\u20ac\ud83c\udf0d\ud800';
const WORDS = [
  '{"type":"subscribe","topics":[',
  '{"type":"publish","topic":',
  '{"type":"ping"}',
  '"room"',
  ']',
  '}',
  ',',
  'null',
  '1e400',
  '"\\u0000"',
  '"\\ud800"',
  '"__proto__":',
  '[[[[[[[[',
];

function randomText(prng: Prng): string {
  const length = prng.nextInt(80);
  let text = '';
  for (let i = 0; i < length; i++) {
    if (prng.nextInt(4) === 0) text += WORDS[prng.nextInt(WORDS.length)];
    else text += ALPHABET[prng.nextInt(ALPHABET.length)];
  }
  return text;
}

function randomJson(prng: Prng, depth: number): unknown {
  const pick = prng.nextInt(depth > 3 ? 5 : 8);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return prng.nextInt(3) === 0 ? -prng.nextFloat() * 1e9 : prng.nextInt(100);
    case 2:
      return ['subscribe', 'publish', 'ping', 'unsubscribe', '', 'x'.repeat(300)][prng.nextInt(6)];
    case 3:
      return prng.nextInt(2) === 0;
    case 4:
      return randomText(prng);
    case 5:
    case 6: {
      const keys = ['type', 'topic', 'topics', 'clients', 'code', 'message', 'data'];
      const record: Record<string, unknown> = {};
      const count = prng.nextInt(5);
      for (let i = 0; i < count; i++) {
        record[keys[prng.nextInt(keys.length)] as string] = randomJson(prng, depth + 1);
      }
      return record;
    }
    default:
      return Array.from({ length: prng.nextInt(4) }, () => randomJson(prng, depth + 1));
  }
}

function expectWellFormed(result: ReturnType<typeof client> | ReturnType<typeof server>): void {
  if (result.ok) {
    expect(typeof result.msg.type).toBe('string');
  } else {
    expect(SIGNALING_ERROR_CODES).toContain(result.code);
    expect(typeof result.message).toBe('string');
  }
}

describe('fuzz', () => {
  it('never throws on random text and answers a known code', () => {
    const prng = createSeededPrng(0x5eed);
    for (let i = 0; i < 5000; i++) {
      const text = randomText(prng);
      const limit = prng.nextInt(4) === 0 ? prng.nextInt(40) : MAX;
      expectWellFormed(client(text, limit));
      expectWellFormed(server(text, limit));
    }
  });

  it('never throws on random JSON values, and what it accepts satisfies the contract', () => {
    const prng = createSeededPrng(42);
    for (let i = 0; i < 5000; i++) {
      const text = JSON.stringify(randomJson(prng, 0)) ?? 'undefined';
      const parsed = client(text);
      expectWellFormed(parsed);
      if (parsed.ok) {
        const msg = parsed.msg;
        if (msg.type === 'subscribe' || msg.type === 'unsubscribe') {
          expect(new Set(msg.topics).size).toBe(msg.topics.length);
          for (const topic of msg.topics) {
            expect(topic.length).toBeGreaterThan(0);
            expect(topic.length).toBeLessThanOrEqual(MAX_SIGNALING_TOPIC_CHARS);
          }
        } else if (msg.type === 'publish') {
          expect(typeof msg.topic).toBe('string');
          expect(msg.topic.length).toBeGreaterThan(0);
        }
      }
      expectWellFormed(server(text));
    }
  });

  it('survives deeply nested and non-UTF-16-clean input', () => {
    const deep = '['.repeat(60000) + ']'.repeat(5000);
    expect(codeOf(client(deep, 1 << 20))).toBe('malformed-json');
    const deepValid =
      '{"type":"publish","topic":"t","d":' + '['.repeat(30000) + ']'.repeat(30000) + '}';
    expect(() => client(deepValid, 1 << 20)).not.toThrow();
    expect(codeOf(client(deepValid, 1 << 20))).toBe('bad-field');
    expect(client('{"type":"publish","topic":"\ud800"}').ok).toBe(true);
    expect(() => client(undefined as unknown as string)).not.toThrow();
    expect(codeOf(client(undefined as unknown as string))).toBe('bad-field');
    expect(() => server(null as unknown as string, MAX)).not.toThrow();
  });
});
