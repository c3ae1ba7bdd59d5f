import type SimplePeer from 'simple-peer';
import type { AgentId } from '../../core/base/ids';
import { decodeFrame, encodeFrame } from '../../core/wire/codec';
import { fingerprintFromSdp } from '../../core/wire/linkAuth';
import { DEFAULT_MAX_FRAME_BYTES } from '../../core/wire/messages';
import type { LinkState } from '../../host/meshSnapshot';
import { FaultLayer } from './faultLayer';
import type { Identity } from './identity';
import { createHello, verifyHello, type ConnectionFingerprints } from './linkHandshake';
import { peerConnectionOf, type PeerFactory } from './simplePeerTypes';

/** Frames held while the handshake completes; a peer sending more is misbehaving. */
export const MAX_EARLY_FRAMES = 64;

/**
 * Sent by the side that closes a link that is not cut, before it tears its data channel down
 * (past any injected delay or loss: it is the link's own signal); the peer stops sending and
 * tears down first. Wire frames start with WIRE_VERSION, never 0.
 *
 * Why: in @roamhq/wrtc 0.10.0, RTCDataChannel.send() checks the native channel, then reloads it
 * after copying the payload; a close arriving from the remote side nulls it on the signaling
 * thread in between, and the process dies of SIGSEGV. No JS flag can see that remote close in
 * time, so a channel must never be closed under a peer that may still send on it.
 */
const LINK_CLOSE_FRAME = Uint8Array.of(0x00, 0x6c, 0x63, 0x6c);
/** How long the closing side waits for the peer to tear down first, before doing it itself. */
export const CLOSE_LINGER_MS = 1000;

function isLinkCloseFrame(frame: Uint8Array): boolean {
  return (
    frame.length === LINK_CLOSE_FRAME.length && LINK_CLOSE_FRAME.every((b, i) => frame[i] === b)
  );
}

export interface PeerLinkOptions {
  identity: Identity;
  room: string;
  peer: AgentId;
  initiator: boolean;
  createPeer: PeerFactory;
  iceServers: RTCIceServer[];
  handshakeTimeoutMs: number;
  /**
   * An offer the peer did not answer with any signal by then is given up (and retried by the
   * transport): it was lost, or the peer never heard it. Offerers only.
   */
  answerTimeoutMs: number;
  /** Frames are dropped (and counted) while the channel holds more than this unsent. */
  maxBufferedBytes: number;
  nowMs(): number;
  sendSignal(signal: unknown): void;
  onOpen(link: PeerLink): void;
  onFrame(link: PeerLink, frame: Uint8Array): void;
  onClose(link: PeerLink, reason: string, handshakeFailed: boolean): void;
}

/**
 * One WebRTC data channel to one peer: connect (trickle ICE through the signaling relay), then a
 * signed handshake bound to both DTLS fingerprints, then frames both ways through a fault layer.
 */
export class PeerLink {
  state: LinkState = 'connecting';
  readonly fault = new FaultLayer();
  readonly createdAtMs: number;
  firstSignalAtMs: number | null = null;
  channelOpenAtMs: number | null = null;
  openSinceMs: number | null = null;
  framesDroppedBackpressure = 0;
  private readonly simplePeer: SimplePeer.Instance;
  private helloSent = false;
  private helloReceived = false;
  private helloVerified = false;
  /** Frames the peer sent after its hello while our side of the handshake was still running. */
  private earlyFrames: Uint8Array[] = [];
  private handshakeTimer: ReturnType<typeof setTimeout>;
  private answerTimer: ReturnType<typeof setTimeout> | null = null;
  /** 'connect' seen and neither 'close' nor 'error' since, nor a close frame either way. */
  private channelUsable = false;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: PeerLinkOptions) {
    this.createdAtMs = options.nowMs();
    this.simplePeer = options.createPeer({
      initiator: options.initiator,
      trickle: true,
      config: { iceServers: options.iceServers },
      channelConfig: { ordered: true },
    });
    this.simplePeer.on('signal', (signal: unknown) => {
      this.firstSignalAtMs ??= options.nowMs();
      options.sendSignal(signal);
    });
    this.simplePeer.on('connect', () => {
      this.channelOpenAtMs = options.nowMs();
      this.channelUsable = true;
      void this.sendHello();
    });
    this.simplePeer.on('data', (data: Uint8Array) => {
      const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (isLinkCloseFrame(frame)) {
        // The peer is quiet and waits for us to tear down: never send again, tear down now.
        this.channelUsable = false;
        if (this.state === 'closed') this.tearDown();
        else this.finish('data channel closed', false);
        return;
      }
      this.fault.pass(frame, (passed) => void this.onInbound(passed));
    });
    this.simplePeer.on('close', () => this.onChannelGone('data channel closed'));
    this.simplePeer.on('error', (error: Error) =>
      this.onChannelGone(`webrtc error: ${error.message}`),
    );
    this.handshakeTimer = setTimeout(() => {
      if (this.state !== 'open')
        this.finish(`no handshake within ${options.handshakeTimeoutMs} ms`, true);
    }, options.handshakeTimeoutMs);
    if (options.initiator) {
      this.answerTimer = setTimeout(() => {
        this.answerTimer = null;
        this.finish(`no answer to the offer within ${options.answerTimeoutMs} ms`, false);
      }, options.answerTimeoutMs);
    }
  }

  get peer(): AgentId {
    return this.options.peer;
  }

  get initiator(): boolean {
    return this.options.initiator;
  }

  /** Feeds an offer, answer or candidate relayed from the peer. */
  signal(signal: unknown): void {
    if (this.state === 'closed') return;
    this.firstSignalAtMs ??= this.options.nowMs();
    if (this.answerTimer !== null) clearTimeout(this.answerTimer);
    this.answerTimer = null;
    try {
      this.simplePeer.signal(signal as SimplePeer.SignalData);
    } catch (error) {
      this.finish(`bad signal: ${String(error)}`, false);
    }
  }

  /** Bytes the data channel still holds to send. */
  get bufferedBytes(): number {
    if (!this.channelUsable) return 0;
    return this.simplePeer.bufferSize;
  }

  send(frame: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    return this.sendRaw(frame);
  }

  close(reason: string): void {
    this.finish(reason, false);
  }

  private sendRaw(frame: Uint8Array): boolean {
    if (!this.channelUsable) return false;
    if (this.simplePeer.bufferSize > this.options.maxBufferedBytes) {
      this.framesDroppedBackpressure++;
      return false;
    }
    let sent = false;
    this.fault.pass(frame, (passed) => {
      // A frame held back by an injected delay must not go out once the link is closing.
      if (!this.channelUsable || this.state === 'closed') return;
      try {
        this.simplePeer.send(passed);
        sent = true;
      } catch {
        // The channel closed under us; the close event finishes the link.
      }
    });
    return sent;
  }

  private fingerprints(): ConnectionFingerprints | null {
    const pc = peerConnectionOf(this.simplePeer);
    const local = fingerprintFromSdp(pc?.localDescription?.sdp ?? '');
    const remote = fingerprintFromSdp(pc?.remoteDescription?.sdp ?? '');
    return local !== null && remote !== null ? { local, remote } : null;
  }

  private async sendHello(): Promise<void> {
    if (this.state !== 'connecting') return;
    this.state = 'authenticating';
    const fingerprints = this.fingerprints();
    if (fingerprints === null) {
      this.finish('no DTLS fingerprint in the session descriptions', true);
      return;
    }
    const hello = await createHello(
      this.options.identity,
      this.options.room,
      this.peer,
      fingerprints,
    );
    // The link may have closed while signing.
    if ((this.state as LinkState) === 'closed') return;
    this.sendRaw(encodeFrame(hello));
    this.helloSent = true;
    this.openIfReady();
  }

  private async onInbound(frame: Uint8Array): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'open') {
      this.options.onFrame(this, frame);
      return;
    }
    if (this.helloReceived) {
      // The peer finished first and already talks; hold its frames until we open.
      if (this.earlyFrames.length >= MAX_EARLY_FRAMES)
        this.finish('too many frames before the handshake ended', true);
      else this.earlyFrames.push(frame);
      return;
    }
    // The first frame must be the peer's hello.
    this.helloReceived = true;
    const decoded = decodeFrame(frame, DEFAULT_MAX_FRAME_BYTES);
    if (!decoded.ok || decoded.msg.type !== 'hello') {
      this.finish('the first frame was not a valid hello', true);
      return;
    }
    const fingerprints = this.fingerprints();
    if (fingerprints === null) {
      this.finish('no DTLS fingerprint in the session descriptions', true);
      return;
    }
    const verdict = await verifyHello(
      decoded.msg,
      this.peer,
      this.options.identity.id,
      this.options.room,
      fingerprints,
    );
    if (!verdict.ok) {
      this.finish(`handshake failed: ${verdict.reason}`, true);
      return;
    }
    this.helloVerified = true;
    this.openIfReady();
  }

  private openIfReady(): void {
    if (this.state === 'closed' || !this.helloSent || !this.helloVerified) return;
    clearTimeout(this.handshakeTimer);
    this.state = 'open';
    this.openSinceMs = this.options.nowMs();
    this.options.onOpen(this);
    for (const frame of this.earlyFrames.splice(0)) {
      if (this.state === 'open') this.options.onFrame(this, frame);
    }
  }

  /** simple-peer saw the channel close or fail: it is tearing down already. */
  private onChannelGone(reason: string): void {
    this.channelUsable = false;
    if (this.state === 'closed') this.tearDown();
    else this.finish(reason, false);
  }

  private finish(reason: string, handshakeFailed: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    if (this.answerTimer !== null) clearTimeout(this.answerTimer);
    // A cut link stays cut: its peer's own fault layer holds back what it sends (a partition is
    // cut at both ends), so nothing reaches the native channel and it can go at once.
    if (this.channelUsable && !this.fault.fault.cut) {
      // Tell the peer, then let it tear down first (see LINK_CLOSE_FRAME); this is our last send.
      this.channelUsable = false;
      let told = false;
      try {
        this.simplePeer.send(LINK_CLOSE_FRAME);
        told = true;
      } catch {
        // The channel closed under us; tear down now.
      }
      if (told) this.lingerTimer = setTimeout(() => this.tearDown(), CLOSE_LINGER_MS);
      else this.tearDown();
    } else {
      this.tearDown();
    }
    this.options.onClose(this, reason, handshakeFailed);
  }

  private tearDown(): void {
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.simplePeer.destroy();
  }
}
