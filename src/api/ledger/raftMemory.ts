import type { AgentId } from '../../core/base/ids';
import type { LedgerExtension, LedgerExtensionOp } from '../../host/ledgerMachine';
import type { AgreedMemoryTier } from '../agreed/agreementHook';
import {
  agreedWriteRefusal,
  deleteAgreed,
  memoryStateOf,
  storeAgreed,
  type AgreedMemoryState,
  type AgreedMemoryWrite,
} from '../agreed/agreedMemoryState';
import type { Ledger } from './ledger';

const STORE = 'memory.store';
const DELETE = 'memory.delete';

/**
 * The Raft tier of the agreed memory: `memory.store` and `memory.delete` as ledger operations,
 * applied to the same agreed memory state pBFT's tier keeps (src/api/agreed). Crash fault
 * tolerant: the writer an operation names is trusted, as Raft trusts its members.
 */
export class RaftMemory implements LedgerExtension {
  readonly name = 'memory';
  readonly kinds = [STORE, DELETE];
  private state: AgreedMemoryState = memoryStateOf({});
  private readonly listeners = new Set<() => void>();

  refusal(op: LedgerExtensionOp): string | null {
    if (typeof op.writer !== 'string' || op.writer.length === 0 || op.writer.length > 128)
      return 'a memory write names its writer';
    return agreedWriteRefusal(op, op.kind === STORE);
  }

  apply(op: LedgerExtensionOp, index: number): unknown {
    const write = op as unknown as AgreedMemoryWrite & { writer: string };
    const result =
      op.kind === STORE
        ? storeAgreed(this.state, write, index, write.writer)
        : deleteAgreed(this.state, write);
    this.changed();
    return result;
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    const valid =
      typeof state === 'object' &&
      state !== null &&
      typeof (state as AgreedMemoryState).entries === 'object' &&
      typeof (state as AgreedMemoryState).bytes === 'number';
    this.state = valid ? (state as AgreedMemoryState) : memoryStateOf({});
    this.changed();
  }

  /** The tier the memory store's agreement hook commits through, writing as `selfId`. */
  tier(ledger: Ledger, selfId: AgentId): AgreedMemoryTier {
    return {
      commit: async (action, write) =>
        (await ledger.propose({ kind: `memory.${action}`, ...write, writer: selfId })).value,
      state: () => this.state,
      onApplied: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
