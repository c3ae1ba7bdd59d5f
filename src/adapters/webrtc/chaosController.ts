import { bytesToHex, hexToBytes, shortId, type AgentId } from '../../core/base/ids';
import {
  chaosCommandBytes,
  MAX_PARTITION_SECONDS,
  parseChaosCommand,
  type ChaosAction,
  type ChaosCommand,
} from '../../core/wire/chaosCommand';
import type { ChaosView, MeshCommands } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import { sign, verify, type Identity } from './identity';
import type { MeshTransport } from './meshTransport';
import { randomHex } from './randomHex';

/** Command ids remembered so a command arriving by several paths applies once. */
const MAX_SEEN_COMMANDS = 256;

export interface ChaosControllerOptions {
  identity: Identity;
  transport: MeshTransport;
  /** Sends a command to every agent of the room (signaling server and sibling tabs). */
  broadcast(command: ChaosCommand): void;
  emit(event: Omit<MeshEvent, 'atMs'>): void;
  nowMs(): number;
  /** Blocks this agent's thread for `ms` (the page stops answering, as a hung tab does). */
  blockFor(ms: number): void;
}

/**
 * Dashboard chaos: partitions, freezes and link faults. Commands are signed by their issuer and
 * travel through the signaling server (outside the mesh, so a mesh partition never cuts them off);
 * each agent applies the part that concerns it. A partition also heals itself after
 * `healAfterSeconds`, so a lost heal command cannot leave the mesh split.
 */
export class ChaosController implements MeshCommands {
  private partitionGroups: AgentId[][] | null = null;
  private frozenUntilMs: number | null = null;
  private autoHeal: ReturnType<typeof setTimeout> | null = null;
  private readonly seen = new Set<string>();

  constructor(private readonly options: ChaosControllerOptions) {}

  view(): ChaosView {
    const frozen = this.frozenUntilMs !== null && this.frozenUntilMs > this.options.nowMs();
    return { partition: this.partitionGroups, frozenUntilMs: frozen ? this.frozenUntilMs : null };
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

  setLinkFault(a: AgentId, b: AgentId, fault: { delayMs: number; dropRate: number }): void {
    void this.issue({ kind: 'link-fault', a, b, ...fault });
  }

  /** A command from the room (signaling server or a sibling tab); checked before it applies. */
  async receive(data: unknown): Promise<void> {
    const parsed = parseChaosCommand(data);
    if (!parsed.ok) {
      this.options.emit({ level: 'warn', kind: 'chaos-rejected', detail: parsed.reason });
      return;
    }
    const { id, issuer, action, signature } = parsed.command;
    if (this.seen.has(id)) return;
    const valid = await verify(
      issuer,
      hexToBytes(signature),
      chaosCommandBytes(id, issuer, action),
    );
    if (!valid) {
      this.options.emit({
        level: 'warn',
        kind: 'chaos-rejected',
        peer: issuer,
        detail: 'signature does not verify',
      });
      return;
    }
    this.apply(id, issuer, action);
  }

  private async issue(action: ChaosAction): Promise<void> {
    const { identity } = this.options;
    const id = randomHex(16);
    const signature = bytesToHex(await sign(identity, chaosCommandBytes(id, identity.id, action)));
    const command: ChaosCommand = { type: 'chaos', id, issuer: identity.id, action, signature };
    const parsed = parseChaosCommand(command);
    if (!parsed.ok) throw new Error(`invalid chaos command: ${parsed.reason}`);
    this.options.broadcast(command);
    this.apply(id, identity.id, action);
  }

  private apply(id: string, issuer: AgentId, action: ChaosAction): void {
    this.seen.add(id);
    if (this.seen.size > MAX_SEEN_COMMANDS)
      this.seen.delete(this.seen.values().next().value as string);
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

  private healLocally(why: string): void {
    if (this.autoHeal !== null) clearTimeout(this.autoHeal);
    this.autoHeal = null;
    this.partitionGroups = null;
    this.options.transport.clearFaults();
    this.options.transport.setCutOff([]);
    this.options.emit({ level: 'info', kind: 'chaos-heal', detail: why });
  }
}
