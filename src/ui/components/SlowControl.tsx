import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { shortId, type AgentId } from '../../core/base/ids';
import type { MeshState } from '../store/meshStore';
import { SLOW_FACTOR, slowControls, type SlowControlsInput } from '../store/taskControls';
import { useMeshStore } from '../store/useMeshStore';

function slowInput(s: MeshState): SlowControlsInput {
  return {
    snapshot: s.snapshot,
    commands: s.commands,
    slowTarget: s.slowTarget,
    noteCommand: s.noteCommand,
    noteSlowSent: s.noteSlowSent,
  };
}

/**
 * Slow an agent down (or back to normal) through the chaos commands, and what is known of its
 * slowdown: this agent's own from its task view, another's only as this dashboard last sent it.
 */
export function SlowControl() {
  const input = useMeshStore(useShallow(slowInput));
  const setSlowTarget = useMeshStore((s) => s.setSlowTarget);
  const slowSent = useMeshStore((s) => s.slowSent);
  const controls = useMemo(() => slowControls(input), [input]);
  const { snapshot } = input;
  const selfId = snapshot?.selfId ?? null;
  const own = snapshot?.tasks?.slowdown ?? 1;
  const target = controls.target;
  const known =
    target === null
      ? null
      : target === selfId
        ? `runs ×${own} now`
        : slowSent[target] !== undefined
          ? `you sent ×${slowSent[target]}`
          : null;
  return (
    <div className="slow-control" data-testid="slow-control">
      <label className="raft-transfer-label">
        slow agent
        <select
          data-testid="slow-agent"
          value={target ?? ''}
          disabled={controls.agents.length === 0}
          onChange={(event) =>
            setSlowTarget(event.target.value === '' ? null : (event.target.value as AgentId))
          }
        >
          {controls.agents.map((id) => (
            <option key={id} value={id}>
              {shortId(id)}
              {id === selfId ? ' (you)' : ''}
            </option>
          ))}
        </select>
      </label>
      <span className="control-wrap" title={controls.slow.title}>
        <button
          type="button"
          className="button button--slow"
          data-testid="slow-apply"
          disabled={!controls.slow.enabled}
          onClick={controls.slow.run}
        >
          {`Make slow ×${SLOW_FACTOR}`}
        </button>
      </span>
      <span className="control-wrap" title={controls.normal.title}>
        <button
          type="button"
          className="button button--plain"
          data-testid="slow-normal"
          disabled={!controls.normal.enabled}
          onClick={controls.normal.run}
        >
          Normal
        </button>
      </span>
      {known !== null && (
        <span className="muted" data-testid="slow-known">
          {known}
        </span>
      )}
    </div>
  );
}
