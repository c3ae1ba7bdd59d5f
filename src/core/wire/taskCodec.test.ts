import { describe, expect, it } from 'vitest';
import { B } from '../base/testSupport';
import { TASK_LANE_TYPE_CODE } from './lanes';
import { WIRE_VERSION } from './messages';
import { decodeTaskFrame, encodeTaskFrame } from './taskCodec';
import { TASK_INPUT_MAX_BYTES, TASK_MESSAGE_MAX_BYTES, type TaskMessage } from './taskMessages';

const examples: TaskMessage[] = [
  {
    type: 'task-offer',
    jobId: 'job-1',
    kind: 'count-primes',
    tasks: [{ task: 3, epoch: 1, input: '{"from":0,"to":100}', costMs: 5, timeoutMs: 1000 }],
  },
  { type: 'task-result', jobId: 'job-1', task: 3, epoch: 1, ok: true, result: '25', ms: 4.5 },
  {
    type: 'task-result',
    jobId: 'job-1',
    task: 3,
    epoch: 2,
    ok: false,
    error: 'timeout',
    message: 'ran over 30000 ms',
    ms: 30000,
  },
  { type: 'task-cancel', jobId: 'job-1' },
  { type: 'task-load', queued: 12, running: 2, workers: 2, meanTaskMs: 48.5, utilisation: 0.5 },
  { type: 'steal-ask', stealId: 7, count: 6 },
  {
    type: 'steal-give',
    stealId: 7,
    tasks: [
      {
        task: 0,
        epoch: 1,
        input: '{"ms":50}',
        costMs: 50,
        timeoutMs: 1000,
        jobId: 'j',
        submitter: B,
        kind: 'busy',
      },
    ],
  },
  { type: 'task-moved', jobId: 'j', tasks: [[0, 2]] },
  {
    type: 'task-announce',
    auctionId: 1,
    jobId: 'j',
    kind: 'fractal-tile',
    requires: ['cores>=2', 'webgpu'],
    count: 16,
    costMs: 20,
  },
  {
    type: 'task-bid',
    auctionId: 1,
    capabilities: { cores: 4, memoryGb: null, webgpu: false, tags: ['fractal'] },
    utilisation: 0.25,
    speed: null,
    queueMs: 0,
    workers: 3,
  },
  {
    type: 'task-offer',
    jobId: 'job-1.r1',
    kind: 'count-primes',
    tasks: [
      { task: 0, epoch: 2, input: '{"from":0,"to":9}', costMs: 5, timeoutMs: 9, pinned: true },
    ],
  },
];

function frameOf(body: unknown): Uint8Array {
  const json = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return new Uint8Array([WIRE_VERSION, TASK_LANE_TYPE_CODE, ...json]);
}

describe('task codec', () => {
  it('every message survives a round trip unchanged', () => {
    for (const message of examples) {
      const frame = encodeTaskFrame(message);
      expect(frame).not.toBeNull();
      expect(decodeTaskFrame(frame as Uint8Array)).toEqual({ ok: true, message });
    }
  });

  it('drops unknown fields and refuses malformed ones with the path and the problem', () => {
    const extra = { ...examples[3], sneaky: 1 };
    expect(decodeTaskFrame(frameOf(extra))).toEqual({ ok: true, message: examples[3] });
    const cases: [unknown, RegExp][] = [
      [{ type: 'task-cancel', jobId: 'no spaces' }, /jobId is not a job id/],
      [{ ...examples[0], kind: '' }, /kind is not a kind/],
      [
        { ...examples[0], tasks: [{ task: 0, epoch: 1, input: '{nope', costMs: 1, timeoutMs: 1 }] },
        /tasks\[0\]\.input is not JSON/,
      ],
      [
        {
          ...examples[0],
          tasks: [
            {
              task: 0,
              epoch: 1,
              input: JSON.stringify('x'.repeat(TASK_INPUT_MAX_BYTES)),
              costMs: 1,
            },
          ],
        },
        /input is over/,
      ],
      [
        { ...examples[0], tasks: [{ task: 5000, epoch: 1, input: '1', costMs: 1, timeoutMs: 1 }] },
        /task is over/,
      ],
      [{ ...examples[2], error: 'exploded' }, /error is not one of/],
      [{ ...examples[5], count: 0 }, /count is out of range/],
      [
        {
          ...examples[6],
          tasks: [{ ...(examples[6] as { tasks: object[] }).tasks[0], submitter: 'x' }],
        },
        /submitter is not an agent id/,
      ],
      [{ ...examples[9], utilisation: 2 }, /utilisation is not 0-1/],
      [{ type: 'task-fly' }, /type is not one of/],
      [
        {
          ...examples[0],
          tasks: [{ task: 0, epoch: 1, input: '1', costMs: 1, timeoutMs: 1, pinned: 1 }],
        },
        /pinned is not a boolean/,
      ],
      [[1, 2], /is not an object/],
    ];
    for (const [body, reason] of cases) {
      const decoded = decodeTaskFrame(frameOf(body));
      expect(decoded.ok).toBe(false);
      expect(decoded.ok ? '' : decoded.reason).toMatch(reason);
    }
    expect(decodeTaskFrame(frameOf('{"type":'))).toEqual({ ok: false, reason: 'not UTF-8 JSON' });
    expect(
      decodeTaskFrame(new Uint8Array([WIRE_VERSION, TASK_LANE_TYPE_CODE, 0xff, 0xfe])),
    ).toEqual({
      ok: false,
      reason: 'not UTF-8 JSON',
    });
    expect(decodeTaskFrame(new Uint8Array([WIRE_VERSION, 0x30, 0x7b, 0x7d]))).toMatchObject({
      ok: false,
    });
  });

  it('will not encode a message over the limit', () => {
    const huge: TaskMessage = {
      type: 'task-result',
      jobId: 'j',
      task: 0,
      epoch: 1,
      ok: true,
      result: JSON.stringify('x'.repeat(TASK_MESSAGE_MAX_BYTES)),
      ms: 1,
    };
    expect(encodeTaskFrame(huge)).toBeNull();
  });
});
