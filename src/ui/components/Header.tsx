import { shortId, type AgentId } from '../../core/base/ids';
import type { ChaosView, MeshSnapshot, QuorumView } from '../../host/meshSnapshot';
import { selectCoordinator, type Coordinator } from '../store/ledgerSelectors';
import { summariseQuorum } from '../store/membershipSelectors';
import { useMeshStore } from '../store/useMeshStore';

/** "quorum 3/5" in green, or "no quorum 2/5 — read-only" in red. */
export function QuorumIndicator({ quorum }: { quorum: QuorumView }) {
  const summary = summariseQuorum(quorum);
  return (
    <span
      className={`badge badge--${summary.hasQuorum ? 'quorum' : 'no-quorum'}`}
      data-testid="quorum"
      data-has-quorum={summary.hasQuorum ? 'true' : 'false'}
      data-reachable={summary.reachable}
      data-membership={summary.membershipSize}
      title={summary.explanation}
    >
      {summary.label}
    </span>
  );
}

/** "partitioned 3 | 2" while a partition is active; "frozen 8 s" while this agent is frozen. */
export function ChaosBadges({
  chaos,
  nowMs,
  slowdown = 1,
}: {
  chaos: ChaosView;
  nowMs: number;
  /** This agent's task slowdown (tasks.slowdown); 1 is normal speed. */
  slowdown?: number;
}) {
  const { partition, frozenUntilMs } = chaos;
  const left = frozenUntilMs === null ? 0 : Math.ceil((frozenUntilMs - nowMs) / 1000);
  return (
    <>
      {partition !== null && (
        <span
          className="badge badge--partitioned"
          data-testid="partition-state"
          data-state="partitioned"
          data-groups={partition.map((g) => g.length).join(',')}
          title={`The mesh is split into ${partition.length} groups; links between them are cut.`}
        >
          partitioned {partition.map((g) => g.length).join(' | ')}
        </span>
      )}
      {frozenUntilMs !== null && (
        <span
          className="badge badge--frozen"
          data-testid="frozen-state"
          data-until={frozenUntilMs}
          title="This agent is frozen: it does not answer until the freeze ends."
        >
          frozen{left > 0 ? ` ${left} s` : ''}
        </span>
      )}
      {slowdown !== 1 && (
        <span
          className="badge badge--slowed"
          data-testid="slow-state"
          data-factor={slowdown}
          title={`This agent's task runs take ${slowdown} times as long (a slow command).`}
        >
          slowed ×{slowdown}
        </span>
      )}
    </>
  );
}

export interface CoordinatorIndicatorProps {
  coordinator: Coordinator | null;
  /** This agent's Raft term, shown as data-term also while there is no coordinator. */
  term: number;
  selfId: AgentId;
}

/** The mesh's coordinator (the Raft leader this agent follows) and its term, or "no coordinator". */
export function CoordinatorIndicator({ coordinator, term, selfId }: CoordinatorIndicatorProps) {
  if (coordinator === null)
    return (
      <span
        className="badge badge--no-coordinator"
        data-testid="coordinator"
        data-leader=""
        data-term={term}
        title="No Raft leader is known: the ledger waits for an election"
      >
        no coordinator
      </span>
    );
  const { leader } = coordinator;
  return (
    <span
      className="badge badge--coordinator"
      data-testid="coordinator"
      data-leader={leader}
      data-term={term}
      title={`${leader} leads the Raft group in term ${term}`}
    >
      <span className="mono">{shortId(leader)}</span>
      {leader === selfId ? ' (you)' : ''}
      <span className="coordinator-term">{` · term ${term}`}</span>
    </span>
  );
}

function Facts({ snapshot }: { snapshot: MeshSnapshot }) {
  const { signaling } = snapshot;
  const open = snapshot.links.filter((l) => l.state === 'open').length;
  return (
    <dl className="header-facts">
      <div>
        <dt>you</dt>
        <dd
          className="mono"
          data-testid="self-id"
          data-agent-id={snapshot.selfId}
          title={snapshot.selfId}
        >
          {shortId(snapshot.selfId)}
        </dd>
      </div>
      <div>
        <dt>room</dt>
        <dd data-testid="room">{snapshot.room}</dd>
      </div>
      <div>
        <dt>signaling</dt>
        <dd title={signaling.url}>
          <span
            className={`badge badge--${signaling.state}`}
            data-testid="signaling-state"
            data-state={signaling.state}
          >
            {signaling.state}
          </span>
          {signaling.reconnects > 0 && (
            <span className="muted"> · {signaling.reconnects} reconnects</span>
          )}
        </dd>
      </div>
      <div>
        <dt>links</dt>
        <dd data-testid="open-links">
          {open} open / {snapshot.links.length}
        </dd>
      </div>
      <div>
        <dt>coordinator</dt>
        <dd>
          <CoordinatorIndicator
            coordinator={selectCoordinator(snapshot)}
            term={snapshot.ledger?.status.term ?? 0}
            selfId={snapshot.selfId}
          />
        </dd>
      </div>
      <div>
        <dt>membership</dt>
        <dd className="header-badges">
          <QuorumIndicator quorum={snapshot.quorum} />
          <ChaosBadges
            chaos={snapshot.chaos}
            nowMs={snapshot.nowMs}
            slowdown={snapshot.tasks?.slowdown ?? 1}
          />
        </dd>
      </div>
    </dl>
  );
}

export function Header() {
  const snapshot = useMeshStore((s) => s.snapshot);
  return (
    <header className="app-header">
      <h1 className="brand">
        <span className="brand-mark" aria-hidden="true" />
        mesh-coordinator
      </h1>
      {snapshot === null ? (
        <p className="header-facts">
          <span
            className="badge badge--connecting"
            data-testid="signaling-state"
            data-state="starting"
          >
            starting…
          </span>
        </p>
      ) : (
        <Facts snapshot={snapshot} />
      )}
    </header>
  );
}
