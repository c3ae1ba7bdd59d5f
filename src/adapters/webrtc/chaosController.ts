import { bytesToHex, compareIds, hexToBytes, shortId, type AgentId } from '../../core/base/ids';
import {
  chaosAckBytes,
  chaosCommandBytes,
  concernsAgent,
  MAX_PARTITION_SECONDS,
  MAX_SLOWDOWN_FACTOR,
  parseChaosAck,
  parseChaosCommand,
  type ChaosAck,
  type ChaosAction,
  type ChaosCommand,
} from '../../core/wire/chaosCommand';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import type { ChaosView, MeshCommands } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import { sign, verify, type Identity } from './identity';
import { ChaosDelivery, type ChaosDeliveryOptions } from './chaosDelivery';
import type { MeshTransport } from './meshTransport';
import { randomHex } from './randomHex';

/** Command ids verified and applied, so a command arriving by several paths applies once. */
const MAX_SEEN_COMMANDS = 256;
/** Acks whose signature was checked (command id and agent). */
const MAX_VERIFIED_ACKS = 1024;
/** Agents whose Byzantine behaviour is remembered (any signed command can name a new one). */
const MAX_BEHAVIOURS_KEPT = 256;

export interface ChaosControllerOptions {
  identity: Identity;
  transport: MeshTransport;
  /** Sends a command or ack by every path: the signaling server, sibling tabs, the mesh. */
  broadcast(message: ChaosCommand | ChaosAck): void;
  /**
   * Passes a copy on over the mesh links (all but the one it came by): a flood, one hop at a
   * time; with `everyPath`, by the signaling server and sibling tabs too.
   */
  forward(message: ChaosCommand | ChaosAck, except: AgentId | null, everyPath: boolean): void;
  /** Every agent this one knows of in the room (members, and those cut off by a partition). */
  knownAgents(): AgentId[];
  emit(event: Omit<MeshEvent, 'atMs'>): void;
  nowMs(): number;
  /** Blocks this agent's thread for `ms` (the page stops answering, as a hung tab does). */
  blockFor(ms: number): void;
  /** Switches this agent's pBFT replica to `behaviour`, when a command names this agent. */
  applyBehaviour?: (behaviour: ByzantineBehaviour) => void;
  /** Makes this agent's task runs take `factor` times as long, when a command names this agent. */
  applySlowdown?: (factor: number) => void;
  delivery?: ChaosDeliveryOptions;
}

/**
 * Dashboard chaos: partitions, freezes, Byzantine behaviours, slowdowns and link faults. Commands are signed
 * by their issuer and go by every path there is: the signaling server (outside the mesh, so a
 * mesh partition never cuts its own heal off), sibling tabs, and a flood over the mesh links that
 * are not cut (so a command issued while the server is out of reach still gets around). Each
 * agent applies the part that concerns it and answers with a signed ack; the issuer sends the
 * command again, with backoff, until every agent it concerns acked, a newer command replaced it,
 * or a minute passed. Agents relaying a retry publish it in the room too, so it crosses a
 * partition even when the issuer cannot reach the server. A partition also heals itself after
 * `healAfterSeconds`.
 */
export class ChaosController implements MeshCommands {
  private partitionGroups: AgentId[][] | null = null;
  private frozenUntilMs: number | null = null;
  /** Non-honest behaviours in force as far as this agent heard, oldest command first. */
  private readonly behaviours = new Map<AgentId, ByzantineBehaviour>();
  private autoHeal: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Commands verified and applied: id -> the signature that verified (copies must match it). */
  private readonly seen = new Map<string, string>();
  /** Acks verified: `${id}:${agent}` -> signature. */
  private readonly verifiedAcks = new Map<string, string>();
  /** This agent's signed ack per command id it applied. */
  private readonly ownAcks = new Map<string, string>();
  private readonly delivery: ChaosDelivery;

  constructor(private readonly options: ChaosControllerOptions) {
    this.delivery = new ChaosDelivery(options.delivery);
  }

  view(): ChaosView {
    const frozen = this.frozenUntilMs !== null && this.frozenUntilMs > this.options.nowMs();
    return {
      partition: this.partitionGroups,
      frozenUntilMs: frozen ? this.frozenUntilMs : null,
      behaviours: Object.fromEntries(
        [...this.behaviours].sort(([a], [b]) => compareIds(a, b)),
      ) as Record<AgentId, ByzantineBehaviour>,
      lastCommand: this.delivery.view(),
    };
  }

  partition(groups: AgentId[][]): void {
    void this.issue({ kind: 'partition', groups, healAfterSeconds: MAX_PARTITION_SECONDS });
  }

  heal(): void {
    void this.issue({ kind: 'heal' });
  }

  freeze(agent: AgentId, seconds: number): void {
    void this.issue({ kind: 'freeze', agent, seconds });
  }

  setBehaviour(agent: AgentId, behaviour: ByzantineBehaviour): void {
    void this.issue({ kind: 'behaviour', agent, behaviour });
  }

  /**
   * Makes `agent`'s task runs take `factor` times as long (1: normal speed). Not part of the
   * host's MeshCommands; the dashboard offers it when the commands it was handed have it.
   * Throws at once on a factor out of range, so the dashboard can show why.
   */
  setSlowdown(agent: AgentId, factor: number): void {
    if (!(Number.isFinite(factor) && factor >= 1 && factor <= MAX_SLOWDOWN_FACTOR)) {
      throw new RangeError(`a slowdown is a factor from 1 to ${MAX_SLOWDOWN_FACTOR}`);
    }
    void this.issue({ kind: 'slow', agent, factor });
  }

  setLinkFault(a: AgentId, b: AgentId, fault: { delayMs: number; dropRate: number }): void {
    void this.issue({ kind: 'link-fault', a, b, ...fault });
  }

  /**
   * A command or an ack from the room (signaling server, sibling tab: `from` null) or from a
   * neighbour over the mesh. Checked before it counts; each copy is passed on once.
   */
  async receive(data: unknown, from: AgentId | null = null): Promise<void> {
    const type = (data as { type?: unknown } | null)?.type;
    if (type === 'chaos-ack') return this.receiveAck(data, from);
    const parsed = parseChaosCommand(data);
    if (!parsed.ok) {
      this.reject(parsed.reason, undefined);
      return;
    }
    const command = parsed.command;
    const { id, issuer, action, signature, copy } = command;
    const key = `c:${id}:${copy}`;
    if (this.delivery.seenCopy(key)) return;
    const known = this.seen.get(id);
    if (known !== signature) {
      // A copy that does not carry the signature already checked for its id is checked anew.
      const valid = await verify(
        issuer,
        hexToBytes(signature),
        chaosCommandBytes(id, issuer, action),
      );
      if (!valid) {
        this.reject('signature does not verify', issuer);
        return;
      }
    }
    if (!this.delivery.firstSight(key)) return;
    if (!this.seen.has(id)) {
      this.remember(id, signature);
      this.delivery.noteCommand(command);
      this.apply(id, issuer, action);
    }
    // A retry means some agent missed the first copy: the relays then use their own paths
    // to the room too (the issuer's socket may be down, or cut off behind a partition).
    this.options.forward(command, from, copy > 0);
    if (concernsAgent(action, this.options.identity.id)) await this.acknowledge(id, copy);
  }

  private async receiveAck(data: unknown, from: AgentId | null): Promise<void> {
    const parsed = parseChaosAck(data);
    if (!parsed.ok) {
      this.reject(parsed.reason, undefined);
      return;
    }
    const ack = parsed.ack;
    const copyKey = `a:${ack.id}:${ack.agent}:${ack.copy}`;
    if (this.delivery.seenCopy(copyKey)) return;
    const key = `${ack.id}:${ack.agent}`;
    if (this.verifiedAcks.get(key) !== ack.signature) {
      const valid = await verify(
        ack.agent,
        hexToBytes(ack.signature),
        chaosAckBytes(ack.id, ack.agent),
      );
      if (!valid) {
        this.reject('ack signature does not verify', ack.agent);
        return;
      }
      this.verifiedAcks.set(key, ack.signature);
      if (this.verifiedAcks.size > MAX_VERIFIED_ACKS) {
        this.verifiedAcks.delete(this.verifiedAcks.keys().next().value as string);
      }
    }
    if (!this.delivery.firstSight(copyKey)) return;
    this.delivery.onApplied(ack.id, ack.agent);
    this.options.forward(ack, from, ack.copy > 0);
  }

  private async issue(action: ChaosAction): Promise<void> {
    const { identity } = this.options;
    const id = randomHex(16);
    const signature = bytesToHex(await sign(identity, chaosCommandBytes(id, identity.id, action)));
    const command: ChaosCommand = {
      type: 'chaos',
      id,
      issuer: identity.id,
      action,
      signature,
      copy: 0,
    };
    const parsed = parseChaosCommand(command);
    if (!parsed.ok) throw new Error(`invalid chaos command: ${parsed.reason}`);
    this.remember(id, signature);
    this.delivery.firstSight(`c:${id}:0`);
    this.delivery.issue(command, this.concerned(action), this.options.nowMs());
    this.apply(id, identity.id, action);
    this.options.broadcast(command);
    this.armRetries();
    // Its own ack too, so every dashboard can list the issuer among those that applied it.
    if (concernsAgent(action, identity.id)) await this.acknowledge(id, 0);
  }

  /** Whom a command waits for: the agents it concerns, as far as this agent knows them. */
  private concerned(action: ChaosAction): AgentId[] {
    const self = this.options.identity.id;
    const everyone = new Set([
      self,
      ...this.options.knownAgents(),
      ...(this.partitionGroups ?? []).flat(),
    ]);
    if (action.kind === 'partition') for (const agent of action.groups.flat()) everyone.add(agent);
    return [...everyone].filter((agent) => concernsAgent(action, agent));
  }

  /** Sends the copies that are due, and waits for the next. */
  private armRetries(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const nextMs = this.delivery.nextDueMs();
    if (nextMs === null) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        for (const copy of this.delivery.due(this.options.nowMs())) {
          this.delivery.firstSight(`c:${copy.id}:${copy.copy}`);
          this.options.broadcast(copy);
        }
        this.armRetries();
      },
      Math.max(0, nextMs - this.options.nowMs()),
    );
  }

  /** Tells the issuer (and every dashboard) that this agent applied command `id`. */
  private async acknowledge(id: string, copy: number): Promise<void> {
    const self = this.options.identity;
    let signature = this.ownAcks.get(id);
    if (signature === undefined) {
      signature = bytesToHex(await sign(self, chaosAckBytes(id, self.id)));
      this.ownAcks.set(id, signature);
      if (this.ownAcks.size > MAX_SEEN_COMMANDS) {
        this.ownAcks.delete(this.ownAcks.keys().next().value as string);
      }
    }
    const ack: ChaosAck = { type: 'chaos-ack', id, agent: self.id, copy, signature };
    if (!this.delivery.firstSight(`a:${id}:${self.id}:${copy}`)) return;
    this.delivery.onApplied(id, self.id);
    this.options.broadcast(ack);
  }

  private remember(id: string, signature: string): void {
    this.seen.set(id, signature);
    if (this.seen.size > MAX_SEEN_COMMANDS)
      this.seen.delete(this.seen.keys().next().value as string);
  }

  private reject(detail: string, peer: AgentId | undefined): void {
    this.options.emit({
      level: 'warn',
      kind: 'chaos-rejected',
      ...(peer === undefined ? {} : { peer }),
      detail,
    });
  }

  private apply(id: string, issuer: AgentId, action: ChaosAction): void {
    const self = this.options.identity.id;
    const by = `by ${shortId(issuer)}`;
    switch (action.kind) {
      case 'partition': {
        const mine = action.groups.find((group) => group.includes(self));
        if (mine === undefined) return;
        const others = action.groups.filter((group) => group !== mine);
        this.partitionGroups = [mine, ...others];
        this.options.transport.setCutOff(others.flat());
        if (this.autoHeal !== null) clearTimeout(this.autoHeal);
        this.autoHeal = setTimeout(
          () => this.healLocally('partition timed out'),
          action.healAfterSeconds * 1000,
        );
        this.options.emit({
          level: 'warn',
          kind: 'chaos-partition',
          detail: `${action.groups.map((group) => group.length).join('|')} ${by}; this agent's side has ${mine.length}`,
        });
        return;
      }
      case 'heal':
        this.healLocally(by);
        return;
      case 'freeze': {
        if (action.agent !== self) return;
        const ms = action.seconds * 1000;
        this.frozenUntilMs = this.options.nowMs() + ms;
        this.options.emit({
          level: 'warn',
          kind: 'chaos-freeze',
          detail: `${action.seconds} s ${by}`,
        });
        // Let this event reach the log first; then the page stops answering.
        setTimeout(() => this.options.blockFor(ms), 0);
        return;
      }
      case 'behaviour':
        this.noteBehaviour(action.agent, action.behaviour, by);
        return;
      case 'slow':
        if (action.agent === self) this.applySlowdown(action.factor, by);
        return;
      case 'link-fault': {
        // One end's fault layer covers both directions; the lower id applies it.
        const [low, high] = action.a < action.b ? [action.a, action.b] : [action.b, action.a];
        if (low !== self) return;
        try {
          this.options.transport.setFault(high, {
            cut: false,
            delayMs: action.delayMs,
            dropRate: action.dropRate,
          });
          this.options.emit({
            level: 'warn',
            kind: 'chaos-link-fault',
            peer: high,
            detail: `+${action.delayMs} ms, ${Math.round(action.dropRate * 100)} % loss ${by}`,
          });
        } catch (error) {
          this.options.emit({
            level: 'warn',
            kind: 'chaos-rejected',
            peer: high,
            detail: String(error),
          });
        }
        return;
      }
    }
  }

  /** Every agent records the behaviour for its dashboard; only the one it names switches. */
  private noteBehaviour(agent: AgentId, behaviour: ByzantineBehaviour, by: string): void {
    this.behaviours.delete(agent);
    if (behaviour !== 'honest') this.behaviours.set(agent, behaviour);
    if (this.behaviours.size > MAX_BEHAVIOURS_KEPT) {
      this.behaviours.delete(this.behaviours.keys().next().value as AgentId);
    }
    if (agent !== this.options.identity.id) return;
    try {
      this.options.applyBehaviour?.(behaviour);
    } catch (error) {
      // The command is still acked: it reached this agent; the event says the switch failed.
      this.options.emit({ level: 'warn', kind: 'chaos-rejected', detail: String(error) });
      return;
    }
    this.options.emit({
      level: behaviour === 'honest' ? 'info' : 'warn',
      kind: 'chaos-behaviour',
      detail: `${behaviour} ${by}`,
    });
  }

  /** Only the agent a slow command names slows down; the command is acked either way. */
  private applySlowdown(factor: number, by: string): void {
    try {
      this.options.applySlowdown?.(factor);
    } catch (error) {
      this.options.emit({ level: 'warn', kind: 'chaos-rejected', detail: String(error) });
      return;
    }
    this.options.emit({
      level: factor === 1 ? 'info' : 'warn',
      kind: 'chaos-slow',
      detail: factor === 1 ? `normal speed ${by}` : `task runs take ×${factor} as long ${by}`,
    });
  }

  private healLocally(why: string): void {
    if (this.autoHeal !== null) clearTimeout(this.autoHeal);
    this.autoHeal = null;
    this.partitionGroups = null;
    this.options.transport.clearFaults();
    this.options.transport.setCutOff([]);
    this.options.emit({ level: 'info', kind: 'chaos-heal', detail: why });
  }
}
