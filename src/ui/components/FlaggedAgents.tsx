import { memo } from 'react';
import { shortId, type AgentId } from '../../core/base/ids';
import type { FlagRecord } from '../../core/tasks/verdict';

/**
 * Agents critical jobs caught reporting a result other than the one f+1 agents agreed on,
 * newest first, each with its evidence: what it reported, what was accepted, and who agreed.
 */
export const FlaggedAgents = memo(
  function FlaggedAgents({ flags, selfId }: { flags: readonly FlagRecord[]; selfId: AgentId }) {
    const name = (agent: AgentId) => (agent === selfId ? 'you' : shortId(agent));
    return (
      <section
        className="consensus-section tasks-flags"
        data-testid="task-flags"
        aria-labelledby="task-flags-title"
      >
        <div className="consensus-section-head">
          <h3 id="task-flags-title">
            Flagged agents{' '}
            <span className="muted">critical jobs: results that disagreed with f+1 others</span>
          </h3>
        </div>
        {flags.length === 0 ? (
          <p className="placeholder">Nobody flagged: every critical result agreed.</p>
        ) : (
          <ul className="decision-list">
            {[...flags].reverse().map((flag) => (
              <li
                key={`${flag.seq}-${flag.agent}-${flag.task}`}
                data-testid="task-flag"
                data-agent={flag.agent}
                data-job={flag.jobId}
                title={`flagged by ${flag.by} at pBFT seq ${flag.seq}`}
              >
                <span className="chip mono">{name(flag.agent)}</span>{' '}
                {`job ${flag.jobId.slice(0, 12)} tile/task ${flag.task}: reported `}
                <span className="mono">{flag.digest.slice(0, 8)}</span>
                {', accepted '}
                <span className="mono">{flag.accepted.slice(0, 8)}</span>
                {` from ${flag.agreeing.map(name).join(', ')}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  },
  // The list only grows or slides; its length and newest entry tell a change.
  (before, after) =>
    before.selfId === after.selfId &&
    before.flags.length === after.flags.length &&
    before.flags[before.flags.length - 1]?.seq === after.flags[after.flags.length - 1]?.seq,
);
