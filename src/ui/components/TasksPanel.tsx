import { useMeshStore } from '../store/useMeshStore';
import { FlaggedAgents } from './FlaggedAgents';
import { FractalRender } from './FractalRender';
import { LoadCharts } from './LoadCharts';
import { SlowControl } from './SlowControl';
import { TaskDecisions } from './TaskDecisions';
import { TasksStatus } from './TasksStatus';

/** The Tasks tab: this agent's task pool, the demo render, everyone's load, and decisions. */
export function TasksPanel() {
  const snapshot = useMeshStore((s) => s.snapshot);
  if (snapshot === null) return <p className="placeholder">starting…</p>;
  const view = snapshot.tasks;
  if (view === null)
    return <p className="placeholder">This agent runs without task distribution.</p>;
  return (
    <div className="consensus tasks" data-testid="tasks-panel">
      <div className="consensus-head">
        <TasksStatus view={view} />
        <SlowControl />
      </div>
      {/* The render and the charts subscribe to what they show (memo: not to this snapshot). */}
      <div className="consensus-body tasks-body">
        <FractalRender />
        <LoadCharts />
        <TaskDecisions view={view} selfId={snapshot.selfId} />
        <FlaggedAgents flags={view.flags} selfId={snapshot.selfId} />
      </div>
    </div>
  );
}
