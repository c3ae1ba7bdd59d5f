import { TASK_LANE_TYPE_CODE } from './lanes';
import { WIRE_VERSION } from './messages';
import {
  agentId,
  field,
  flag,
  index,
  invalid,
  list,
  oneOf,
  parseFields,
  record,
  text,
} from './fieldReaders';
import {
  TASK_ERROR_CODES,
  TASK_ERROR_MAX_BYTES,
  TASK_INPUT_MAX_BYTES,
  TASK_KIND_PATTERN,
  TASK_MAX_PER_MESSAGE,
  TASK_MAX_REQUIREMENTS,
  TASK_MAX_TAGS,
  TASK_MESSAGE_MAX_BYTES,
  TASK_MESSAGE_TYPES,
  TASK_RESULT_MAX_BYTES,
  type CapabilityFacts,
  type OfferedTask,
  type StoredTaskResult,
  type StolenTask,
  type TaskMessage,
} from './taskMessages';

/** Job ids as the task table takes them (core/tasks/taskTable.ts keeps the same pattern). */
const JOB_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Task indexes and epochs fit the task table's bounds. */
const MAX_TASK_INDEX = 1023;
/** Run times, costs and queue times: a day at most. */
const MAX_MS = 86_400_000;

function pattern(value: unknown, at: string, re: RegExp, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) invalid(at, `is not ${what}`);
  return value;
}

function taskIndex(value: unknown, at: string): number {
  const n = index(value, at);
  if (n > MAX_TASK_INDEX) invalid(at, `is over ${MAX_TASK_INDEX}`);
  return n;
}

function ms(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_MS)
    invalid(at, 'is not a time in ms');
  return value;
}

function rate(value: unknown, at: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1e9)) invalid(at, 'is not a rate');
  return value;
}

function fraction(value: unknown, at: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) invalid(at, 'is not 0-1');
  return value;
}

/** JSON text: a string that parses (its value is the worker's business). */
function jsonText(value: unknown, at: string, maxBytes: number): string {
  const t = text(value, at, maxBytes);
  try {
    JSON.parse(t);
  } catch {
    invalid(at, 'is not JSON');
  }
  return t;
}

function offered(value: unknown, at: string): OfferedTask {
  const t = record(value, at);
  return {
    task: taskIndex(t.task, field(at, 'task')),
    epoch: index(t.epoch, field(at, 'epoch')),
    input: jsonText(t.input, field(at, 'input'), TASK_INPUT_MAX_BYTES),
    costMs: ms(t.costMs, field(at, 'costMs')),
    timeoutMs: ms(t.timeoutMs, field(at, 'timeoutMs')),
    ...(t.pinned === undefined || !flag(t.pinned, field(at, 'pinned')) ? {} : { pinned: true }),
  };
}

function stolen(value: unknown, at: string): StolenTask {
  const t = record(value, at);
  return {
    ...offered(value, at),
    jobId: pattern(t.jobId, field(at, 'jobId'), JOB_ID, 'a job id'),
    submitter: agentId(t.submitter, field(at, 'submitter')),
    kind: pattern(t.kind, field(at, 'kind'), TASK_KIND_PATTERN, 'a kind'),
  };
}

function short(value: unknown, at: string): string {
  return pattern(value, at, /^.{1,64}$/s, '1-64 characters');
}

function capabilities(value: unknown, at: string): CapabilityFacts {
  const c = record(value, at);
  const cores = index(c.cores, field(at, 'cores'));
  if (cores > 1024) invalid(field(at, 'cores'), 'is over 1024');
  let memoryGb: number | null = null;
  if (c.memoryGb !== null) {
    if (typeof c.memoryGb !== 'number' || !(c.memoryGb >= 0 && c.memoryGb <= 1 << 20))
      invalid(field(at, 'memoryGb'), 'is not a size in GiB or null');
    memoryGb = c.memoryGb;
  }
  return {
    cores,
    memoryGb,
    webgpu: flag(c.webgpu, field(at, 'webgpu')),
    tags: list(c.tags, field(at, 'tags'), TASK_MAX_TAGS, short),
  };
}

function epochPairs(value: unknown, at: string): [number, number][] {
  return list(value, at, TASK_MAX_PER_MESSAGE, (entry, p) => {
    if (!Array.isArray(entry) || entry.length !== 2) invalid(p, 'is not [task, epoch]');
    return [taskIndex(entry[0], `${p}[0]`), index(entry[1], `${p}[1]`)];
  });
}

function parse(f: Record<string, unknown>): TaskMessage {
  const type = oneOf(f.type, 'type', TASK_MESSAGE_TYPES);
  const jobId = () => pattern(f.jobId, 'jobId', JOB_ID, 'a job id');
  switch (type) {
    case 'task-offer':
      return {
        type,
        jobId: jobId(),
        kind: pattern(f.kind, 'kind', TASK_KIND_PATTERN, 'a kind'),
        tasks: list(f.tasks, 'tasks', TASK_MAX_PER_MESSAGE, offered),
      };
    case 'task-result': {
      const head = {
        type,
        jobId: jobId(),
        task: taskIndex(f.task, 'task'),
        epoch: index(f.epoch, 'epoch'),
      };
      if (flag(f.ok, 'ok'))
        return {
          ...head,
          ok: true,
          result: jsonText(f.result, 'result', TASK_RESULT_MAX_BYTES),
          ms: ms(f.ms, 'ms'),
        };
      return {
        ...head,
        ok: false,
        error: oneOf(f.error, 'error', TASK_ERROR_CODES),
        message: text(f.message, 'message', TASK_ERROR_MAX_BYTES),
        ms: ms(f.ms, 'ms'),
      };
    }
    case 'task-cancel':
      return { type, jobId: jobId() };
    case 'task-load':
      return {
        type,
        queued: index(f.queued, 'queued'),
        running: index(f.running, 'running'),
        workers: index(f.workers, 'workers'),
        meanTaskMs: ms(f.meanTaskMs, 'meanTaskMs'),
        utilisation: fraction(f.utilisation, 'utilisation'),
      };
    case 'steal-ask': {
      const count = index(f.count, 'count');
      if (count < 1 || count > TASK_MAX_PER_MESSAGE) invalid('count', 'is out of range');
      return { type, stealId: index(f.stealId, 'stealId'), count };
    }
    case 'steal-give':
      return {
        type,
        stealId: index(f.stealId, 'stealId'),
        tasks: list(f.tasks, 'tasks', TASK_MAX_PER_MESSAGE, stolen),
      };
    case 'task-moved':
      return { type, jobId: jobId(), tasks: epochPairs(f.tasks, 'tasks') };
    case 'task-announce':
      return {
        type,
        auctionId: index(f.auctionId, 'auctionId'),
        jobId: jobId(),
        kind: pattern(f.kind, 'kind', TASK_KIND_PATTERN, 'a kind'),
        requires: list(f.requires, 'requires', TASK_MAX_REQUIREMENTS, short),
        count: index(f.count, 'count'),
        costMs: ms(f.costMs, 'costMs'),
      };
    case 'task-bid':
      return {
        type,
        auctionId: index(f.auctionId, 'auctionId'),
        capabilities: capabilities(f.capabilities, 'capabilities'),
        utilisation: fraction(f.utilisation, 'utilisation'),
        speed: f.speed === null ? null : rate(f.speed, 'speed'),
        queueMs: ms(f.queueMs, 'queueMs'),
        workers: index(f.workers, 'workers'),
      };
    case 'result-store':
      return {
        type,
        jobId: jobId(),
        submitter: agentId(f.submitter, 'submitter'),
        results: list(f.results, 'results', TASK_MAX_PER_MESSAGE, stored),
      };
    case 'result-fetch':
      return {
        type,
        fetchId: index(f.fetchId, 'fetchId'),
        jobId: jobId(),
        task: taskIndex(f.task, 'task'),
      };
    case 'result-found':
      return {
        type,
        fetchId: index(f.fetchId, 'fetchId'),
        jobId: jobId(),
        task: taskIndex(f.task, 'task'),
        result: f.result === null ? null : jsonText(f.result, 'result', TASK_RESULT_MAX_BYTES),
      };
  }
}

function stored(value: unknown, at: string): StoredTaskResult {
  const t = record(value, at);
  return {
    task: taskIndex(t.task, field(at, 'task')),
    result: jsonText(t.result, field(at, 'result'), TASK_RESULT_MAX_BYTES),
  };
}

const encoder = new TextEncoder();

/** A task message as a frame: [version][TASK_LANE_TYPE_CODE][UTF-8 JSON]; null when too large. */
export function encodeTaskFrame(message: TaskMessage): Uint8Array | null {
  const json = encoder.encode(JSON.stringify(message));
  if (json.length + 2 > TASK_MESSAGE_MAX_BYTES) return null;
  const frame = new Uint8Array(json.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = TASK_LANE_TYPE_CODE;
  frame.set(json, 2);
  return frame;
}

/** Reads a tasks-lane frame; a malformed one is refused with the reason, never thrown on. */
export function decodeTaskFrame(
  frame: Uint8Array,
): { ok: true; message: TaskMessage } | { ok: false; reason: string } {
  if (frame.length < 3 || frame.length > TASK_MESSAGE_MAX_BYTES)
    return { ok: false, reason: `frame of ${frame.length} bytes` };
  if (frame[0] !== WIRE_VERSION || frame[1] !== TASK_LANE_TYPE_CODE)
    return { ok: false, reason: 'not a tasks-lane frame' };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(2)));
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON' };
  }
  const type =
    typeof (body as { type?: unknown })?.type === 'string'
      ? (body as { type: string }).type
      : 'message';
  const parsed = parseFields(type.slice(0, 32), () => parse(record(body, '')));
  return typeof parsed === 'string' ? { ok: false, reason: parsed } : { ok: true, message: parsed };
}
