import { memo, useMemo, useState } from 'react';
import { shortId } from '../../core/base/ids';
import type { TaskStrategy } from '../../core/tasks/taskTypes';
import { renderControl } from '../store/taskControls';
import { selectRenderProgress } from '../store/taskSelectors';
import type { FractalRender as Render } from '../store/tasksSlice';
import { useMeshStore } from '../store/useMeshStore';
import { FractalCanvas } from './FractalCanvas';
import { useAgentColours, type AgentColourOf } from './useAgentColours';

/**
 * The strategies the select offers. A Record, so a strategy added to the core fails the
 * typecheck here until it has a hint (the UI may not import the core's list at run time).
 */
const STRATEGY_HINT: Record<TaskStrategy, string> = {
  steal: 'tasks start with the submitter; idle agents steal from busy ones',
  hash: 'each task goes to the agent the hash ring names',
  auction: 'agents bid; match, load, speed and cost decide',
};
const STRATEGIES = Object.keys(STRATEGY_HINT) as TaskStrategy[];

function isStrategy(value: string): value is TaskStrategy {
  return (STRATEGIES as string[]).includes(value);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function Progress({
  render,
  selfId,
  colourOf,
}: {
  render: Render;
  selfId: string | null;
  colourOf: AgentColourOf;
}) {
  // The clock only matters while the render runs; a finished one does not re-render with it.
  const nowMs = useMeshStore((s) => (render.state === 'running' ? (s.snapshot?.nowMs ?? 0) : 0));
  const progress = selectRenderProgress(render, nowMs);
  const stateText =
    render.state === 'running' ? 'rendering' : render.state === 'done' ? 'done' : 'failed';
  return (
    <div
      className={`fractal-progress fractal-progress--${render.state}`}
      data-testid="fractal-progress"
      data-state={render.state}
      data-done={progress.done}
      data-total={progress.total}
      data-code={render.code ?? undefined}
      role="status"
    >
      <span className="fractal-progress-count mono">
        {`${progress.done}/${progress.total} tiles · ${seconds(progress.elapsedMs)}`}
      </span>
      <span className={`fractal-state fractal-state--${render.state}`}>
        {stateText}
        {render.code !== null && <span className="proposal-code">{render.code}</span>}
      </span>
      <span className="fractal-owners">
        {progress.byOwner.map(({ agent, tiles }) => (
          <span
            key={agent ?? 'unknown'}
            className="chip mono fractal-owner"
            data-testid="fractal-owner"
            data-agent={agent ?? ''}
            data-tiles={tiles}
            title={agent ?? 'accepted before this page listened; known from the final results'}
          >
            <span className="agent-swatch" style={{ background: colourOf(agent) }} />
            {agent === null ? '?' : agent === selfId ? 'you' : shortId(agent)} ×{tiles}
          </span>
        ))}
      </span>
      {render.message !== null && <span className="fractal-error">{render.message}</span>}
      {render.badResults > 0 && (
        <span className="fractal-error">{`${render.badResults} results were not tiles`}</span>
      )}
      {render.jobId !== null && (
        <span className="muted mono" title={render.jobId}>
          {`job ${render.jobId.slice(0, 8)} · ${render.critical ? 'critical' : render.strategy}`}
        </span>
      )}
    </div>
  );
}

/** "Render fractal": one fractal-tile job from this tab, drawn tile by tile as accepted. */
export const FractalRender = memo(function FractalRender() {
  const taskCommands = useMeshStore((s) => s.taskCommands);
  const render = useMeshStore((s) => s.render);
  const renderStrategy = useMeshStore((s) => s.renderStrategy);
  const renderFractal = useMeshStore((s) => s.renderFractal);
  const setRenderStrategy = useMeshStore((s) => s.setRenderStrategy);
  const renderCritical = useMeshStore((s) => s.renderCritical);
  const setRenderCritical = useMeshStore((s) => s.setRenderCritical);
  const selfId = useMeshStore((s) => s.snapshot?.selfId ?? null);
  const colourOf = useAgentColours();
  const [showOwners, setShowOwners] = useState(true);
  const control = useMemo(
    () => renderControl({ taskCommands, render, renderStrategy, renderCritical, renderFractal }),
    [taskCommands, render, renderStrategy, renderCritical, renderFractal],
  );
  return (
    <section
      className="consensus-section tasks-render"
      data-testid="fractal-render"
      aria-labelledby="fractal-title"
    >
      <div className="consensus-section-head">
        <h3 id="fractal-title">
          Demo render{' '}
          <span className="muted">
            {`${taskCommands === null ? '' : 'fractal-tile · '}each tile drawn as it is accepted`}
          </span>
        </h3>
        <div className="fractal-controls">
          <label className="raft-transfer-label">
            strategy
            <select
              data-testid="fractal-strategy"
              value={renderStrategy}
              disabled={renderCritical}
              title={STRATEGY_HINT[renderStrategy]}
              onChange={(event) => {
                if (isStrategy(event.target.value)) setRenderStrategy(event.target.value);
              }}
            >
              {STRATEGIES.map((strategy) => (
                <option key={strategy} value={strategy} title={STRATEGY_HINT[strategy]}>
                  {strategy}
                </option>
              ))}
            </select>
          </label>
          <label
            className="fractal-owners-toggle"
            title="Byzantine-checked: every tile computed by f+1 agents, accepted through pBFT once they agree; an agent that disagrees is flagged"
          >
            <input
              type="checkbox"
              data-testid="fractal-critical"
              checked={renderCritical}
              onChange={(event) => setRenderCritical(event.target.checked)}
            />
            critical
          </label>
          <label className="fractal-owners-toggle">
            <input
              type="checkbox"
              checked={showOwners}
              onChange={(event) => setShowOwners(event.target.checked)}
            />
            owners
          </label>
          <span className="control-wrap" title={control.title}>
            <button
              type="button"
              className="button button--primary"
              data-testid="fractal-render-button"
              disabled={!control.enabled}
              onClick={control.run}
            >
              Render fractal
            </button>
          </span>
        </div>
      </div>
      <div className="fractal-body">
        <FractalCanvas render={render} colourOf={colourOf} showOwners={showOwners} />
        {render !== null && <Progress render={render} selfId={selfId} colourOf={colourOf} />}
      </div>
    </section>
  );
});
