import {
  TASK_TABLE_OP_KINDS,
  TaskTable,
  type TaskTableOp,
  type TaskTableResult,
} from '../../core/tasks/taskTable';
import type { LedgerExtension, LedgerExtensionOp } from '../../host/ledgerMachine';
import { RaftHostError } from '../../host/raftHost';
import { TaskLedgerError, type TaskLedgerPort } from '../../host/taskHost';
import type { Ledger } from '../ledger/ledger';

/**
 * The task table as a state machine on the ledger's Raft log: every member of the Raft group
 * applies the same moves and acceptances in the same order, so all agree which owner's result
 * counts (core/tasks/taskTable.ts).
 */
export class TaskLedgerExtension implements LedgerExtension {
  readonly name = 'tasks';
  readonly kinds: readonly string[] = TASK_TABLE_OP_KINDS;
  readonly table = new TaskTable();

  refusal(op: LedgerExtensionOp): string | null {
    return TaskTable.refusal(op);
  }

  apply(op: LedgerExtensionOp): unknown {
    return this.table.apply(op as unknown as TaskTableOp);
  }

  snapshot(): unknown {
    return this.table.snapshot();
  }

  restore(state: unknown): void {
    this.table.restore(state);
  }
}

/** Task-table operations through `ledger`: a refusal of the table is final, the rest retryable. */
export function taskLedgerPort(ledger: Ledger): TaskLedgerPort {
  return {
    propose: (op) =>
      ledger.propose(op as unknown as LedgerExtensionOp).then(
        ({ value }) => value as TaskTableResult,
        (error: unknown) => {
          const final =
            error instanceof RaftHostError &&
            (error.code === 'refused' ||
              error.code === 'invalid' ||
              error.code === 'too-large' ||
              error.code === 'stopped');
          throw new TaskLedgerError(error instanceof Error ? error.message : String(error), !final);
        },
      ),
  };
}
