import type { AgentId } from '../core/base/ids';
import { cutIntoChunks, maxChunkedMessageBytes, readChunk } from '../core/wire/chunkFrames';
import { Reassembler, type ChunkDropReason } from '../core/wire/chunkReassembler';
import { WIRE_VERSION } from '../core/wire/messages';
import type { Clock, TimerHandle, Transport, TransportHandler } from './ports';

export interface ChunkedTransportOptions {
  /** Second byte of the chunk frames; the lane under the wrapper must carry it. */
  chunkTypeCode: number;
  /** Frames up to this size pass unchanged; larger ones travel in chunks of at most this size. */
  maxFrameBytes: number;
  /** Largest frame sent or joined; larger ones are counted and dropped. */
  maxMessageBytes: number;
  /** Frames being joined at once per peer; the oldest is dropped past it. */
  maxPendingPerPeer: number;
  /** A frame whose chunks stop coming is dropped this long after its first chunk. */
  maxAgeMs: number;
  clock: Clock;
}

export interface ChunkedTransportStats {
  /** Frames sent cut into chunks. */
  chunkedSent: number;
  /** Chunk frames sent. */
  chunkFramesSent: number;
  /** Frames joined from chunks and delivered. */
  reassembled: number;
  /** Frames lost, by reason; `malformed` counts chunk frames that do not parse or fit. */
  dropped: {
    /** Outgoing frames over maxMessageBytes. */
    sendTooLarge: number;
    /** Incoming chunked frames over maxMessageBytes. */
    tooLarge: number;
    tooManyPending: number;
    expired: number;
    linkDown: number;
    malformed: number;
  };
}

export type ChunkedTransport = Transport & { readonly stats: ChunkedTransportStats };

/** [version][chunk type code], then the chunk fields of core/wire/chunkFrames.ts. */
const CHUNK_PREFIX_BYTES = 2;

const STAT_OF_DROP: Record<ChunkDropReason, keyof ChunkedTransportStats['dropped']> = {
  tooLarge: 'tooLarge',
  tooManyPending: 'tooManyPending',
  expired: 'expired',
  inconsistent: 'malformed',
  malformed: 'malformed',
  cleared: 'linkDown',
};

/**
 * Carries frames larger than a data-channel message over `inner`: a frame over maxFrameBytes
 * leaves as chunk frames `[version][chunkTypeCode][messageId u32][index u16][count u16][part]`
 * and reaches the other side's handler whole, as if it had come in one piece. Everything else
 * passes both ways unchanged. Message ids start from the clock, so a wrapper made again while
 * links stay up does not reuse the ids its peers remember.
 */
export function chunkedTransport(
  inner: Transport,
  options: ChunkedTransportOptions,
): ChunkedTransport {
  checkOptions(options);
  const { chunkTypeCode, maxFrameBytes, maxMessageBytes, clock } = options;
  const limits = {
    maxMessageBytes,
    maxPendingMessages: options.maxPendingPerPeer,
    maxAgeMs: options.maxAgeMs,
  };
  const prefix = Uint8Array.of(WIRE_VERSION, chunkTypeCode);
  const stats: ChunkedTransportStats = {
    chunkedSent: 0,
    chunkFramesSent: 0,
    reassembled: 0,
    dropped: {
      sendTooLarge: 0,
      tooLarge: 0,
      tooManyPending: 0,
      expired: 0,
      linkDown: 0,
      malformed: 0,
    },
  };
  const onDropped = (reason: ChunkDropReason): void => {
    stats.dropped[STAT_OF_DROP[reason]]++;
  };
  const reassemblers = new Map<AgentId, Reassembler>();
  let nextMessageId = Math.floor(clock.nowMs()) >>> 0;
  let sweepTimer: TimerHandle | null = null;

  const sweep = (): void => {
    sweepTimer = null;
    const nowMs = clock.nowMs();
    let nextMs = Infinity;
    for (const reassembler of reassemblers.values()) {
      reassembler.expire(nowMs);
      nextMs = Math.min(nextMs, reassembler.nextExpiryMs() ?? Infinity);
    }
    // At least a millisecond on, so a clock that fires early cannot spin.
    if (nextMs !== Infinity) sweepTimer = clock.setTimer(Math.max(nextMs, nowMs + 1), sweep);
  };

  const onChunkFrame = (handler: TransportHandler, peer: AgentId, frame: Uint8Array): void => {
    const read = readChunk(frame, CHUNK_PREFIX_BYTES);
    if (!read.ok) {
      stats.dropped.malformed++;
      return;
    }
    let reassembler = reassemblers.get(peer);
    if (reassembler === undefined) {
      reassembler = new Reassembler(limits, onDropped);
      reassemblers.set(peer, reassembler);
    }
    const whole = reassembler.add(read.chunk, clock.nowMs());
    // Pending messages only get younger, so a sweep already set comes early enough.
    const expiryMs = reassembler.nextExpiryMs();
    if (sweepTimer === null && expiryMs !== null) sweepTimer = clock.setTimer(expiryMs, sweep);
    if (whole === null) return;
    stats.reassembled++;
    handler.onFrame(peer, whole);
  };

  const isChunkFrame = (frame: Uint8Array): boolean =>
    frame.length >= CHUNK_PREFIX_BYTES && frame[0] === WIRE_VERSION && frame[1] === chunkTypeCode;

  return {
    stats,
    setHandler: (handler) =>
      inner.setHandler({
        onLinkUp: (peer) => handler.onLinkUp(peer),
        onLinkDown: (peer, reason) => {
          reassemblers.get(peer)?.clear();
          reassemblers.delete(peer);
          handler.onLinkDown(peer, reason);
        },
        onFrame: (peer, frame) =>
          isChunkFrame(frame) ? onChunkFrame(handler, peer, frame) : handler.onFrame(peer, frame),
      }),
    send: (peer, frame) => {
      if (frame.length <= maxFrameBytes) return inner.send(peer, frame);
      const chunks =
        frame.length > maxMessageBytes
          ? null
          : cutIntoChunks(frame, nextMessageId, prefix, maxFrameBytes);
      if (chunks === null) {
        stats.dropped.sendTooLarge++;
        return;
      }
      nextMessageId = (nextMessageId + 1) >>> 0;
      stats.chunkedSent++;
      stats.chunkFramesSent += chunks.length;
      for (const chunk of chunks) inner.send(peer, chunk);
    },
    close: (peer, reason) => inner.close(peer, reason),
    connect: (peer) => inner.connect(peer),
    ...(inner.bufferedBytes === undefined
      ? {}
      : { bufferedBytes: (peer: AgentId) => inner.bufferedBytes?.(peer) ?? 0 }),
  };
}

function checkOptions(options: ChunkedTransportOptions): void {
  const { chunkTypeCode, maxFrameBytes, maxMessageBytes, maxPendingPerPeer, maxAgeMs } = options;
  if (!Number.isInteger(chunkTypeCode) || chunkTypeCode < 0 || chunkTypeCode > 0xff) {
    throw new Error(`bad chunk type code ${chunkTypeCode}`);
  }
  if (!(maxMessageBytes <= maxChunkedMessageBytes(CHUNK_PREFIX_BYTES, maxFrameBytes))) {
    throw new Error(`frames of ${maxFrameBytes} bytes cannot carry ${maxMessageBytes} in chunks`);
  }
  if (!Number.isInteger(maxPendingPerPeer) || maxPendingPerPeer < 1) {
    throw new Error('maxPendingPerPeer must be a positive integer');
  }
  if (!(maxAgeMs > 0)) throw new Error('maxAgeMs must be positive');
}
