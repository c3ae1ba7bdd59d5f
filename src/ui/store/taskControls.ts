import { shortId, type AgentId } from '../../core/base/ids';
import { chaosAgents, control, NOT_WIRED, type Control } from './chaosControls';
import type { MeshState } from './meshStore';

/** The factor "Make slow" sends: an agent that runs four times slower is plain to see. */
export const SLOW_FACTOR = 4;

export const TASKS_NOT_WIRED = 'The tasks API is not connected in this page yet.';
export const SLOW_NOT_OFFERED = 'This page offers no slow command.';

/** What "Render fractal" offers: enabled once the tasks API is wired and no render runs. */
export function renderControl(
  state: Pick<
    MeshState,
    'taskCommands' | 'render' | 'renderStrategy' | 'renderCritical' | 'renderFractal'
  >,
): Control {
  const reason =
    state.taskCommands === null
      ? TASKS_NOT_WIRED
      : state.render?.state === 'running'
        ? 'A render is under way; wait for it to end.'
        : null;
  return {
    enabled: reason === null,
    title:
      reason ??
      `Submit one fractal-tile job (${state.renderCritical ? 'critical: each tile from f+1 agreeing agents, accepted through pBFT' : `strategy ${state.renderStrategy}`}) and draw each tile as it is accepted.`,
    run: () => {
      if (reason === null) void state.renderFractal();
    },
  };
}

export interface SlowControls {
  /** The agents the select offers: everything drawn and every member that has not left. */
  agents: AgentId[];
  /** The picked agent (the first when none was picked, or it is gone), or null. */
  target: AgentId | null;
  slow: Control;
  normal: Control;
}

export type SlowControlsInput = Pick<
  MeshState,
  'snapshot' | 'commands' | 'slowTarget' | 'noteCommand' | 'noteSlowSent'
>;

/** "Make slow ×4" and "Normal" for the picked agent, through the chaos commands. */
export function slowControls(input: SlowControlsInput): SlowControls {
  const { snapshot, commands } = input;
  const agents = chaosAgents(snapshot);
  const picked = input.slowTarget;
  const target = picked !== null && agents.includes(picked) ? picked : (agents[0] ?? null);
  const reason =
    commands === null
      ? NOT_WIRED
      : commands.setSlowdown === undefined
        ? SLOW_NOT_OFFERED
        : target === null
          ? 'No agent to slow yet.'
          : null;
  const name = target === null ? '' : target === snapshot?.selfId ? 'you' : shortId(target);
  const note = input.noteCommand;
  const sender = (factor: number, what: string) => () => {
    if (target === null || commands?.setSlowdown === undefined) return '';
    commands.setSlowdown(target, factor);
    input.noteSlowSent(target, factor);
    return `${what} sent: ${name}`;
  };
  return {
    agents,
    target,
    slow: control(
      reason,
      `Make ${name}'s task runs take ${SLOW_FACTOR} times as long: the others should steal from it.`,
      sender(SLOW_FACTOR, `Slow ×${SLOW_FACTOR}`),
      note,
    ),
    normal: control(
      reason,
      `Put ${name}'s task runs back to normal speed.`,
      sender(1, 'Normal speed'),
      note,
    ),
  };
}
