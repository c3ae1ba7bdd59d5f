import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import type { MeshCommands, MeshSnapshot } from '../../host/meshSnapshot';
import { effectiveGroup, type CommandNote } from './chaosSlice';
import type { MeshState } from './meshStore';
import { graphNodeIds } from './selectors';

export const FREEZE_SECONDS_MIN = 1;
export const FREEZE_SECONDS_MAX = 60;
export const LINK_DELAY_MS_MAX = 2000;
export const LINK_LOSS_PERCENT_MAX = 100;

/** One button of the chaos panel: why it is disabled (its tooltip), or what it will do. */
export interface Control {
  enabled: boolean;
  /** Tooltip: the reason it is disabled, or what a click does. */
  title: string;
  /** Sends the command (a no-op while disabled) and notes the outcome in the store. */
  run(): void;
}

/** One alive member's Byzantine behaviour picker. */
export interface BehaviourControl {
  agent: AgentId;
  self: boolean;
  /** The behaviour in force as this agent heard it: honest unless a command said otherwise. */
  current: ByzantineBehaviour;
  enabled: boolean;
  /** Tooltip: the reason it is disabled, or what a change does. */
  title: string;
  /** Sends setBehaviour (a no-op while disabled) and notes the outcome in the store. */
  choose(behaviour: ByzantineBehaviour): void;
}

export interface ChaosControls {
  /** Every agent a partition can place: the drawn agents and members that have not left. */
  agents: AgentId[];
  /** The drawn-up partition: non-empty groups in group order, ids sorted. */
  groups: AgentId[][];
  cut: Control;
  heal: Control;
  freeze: Control;
  linkApply: Control;
  /** One per alive member, ids sorted. */
  behaviours: BehaviourControl[];
  /** Parsed inputs, null while invalid. */
  freezeSeconds: number | null;
  delayMs: number | null;
  lossPercent: number | null;
}

export type ChaosControlsInput = Pick<
  MeshState,
  | 'snapshot'
  | 'commands'
  | 'groupOf'
  | 'groupCount'
  | 'selectedId'
  | 'selectedLink'
  | 'freezeSecondsText'
  | 'linkDelayText'
  | 'linkLossText'
  | 'noteCommand'
>;

/** A whole number in [min, max] written in `text`, or null. */
export function parseIntInRange(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

export const NOT_WIRED = 'Chaos commands are not connected in this page yet.';

/** The agents a partition can place: everything drawn, plus members that have not left. */
export function chaosAgents(snapshot: MeshSnapshot | null): AgentId[] {
  if (snapshot === null) return [];
  const ids = new Set(graphNodeIds(snapshot));
  for (const m of snapshot.members) if (m.status !== 'left') ids.add(m.id);
  return [...ids].sort(compareIds);
}

/** The drawn-up partition as the command wants it: non-empty groups, in group order. */
export function partitionGroups(
  agents: readonly AgentId[],
  groupOf: Readonly<Record<string, number>>,
  groupCount: number,
): AgentId[][] {
  const groups: AgentId[][] = Array.from({ length: groupCount }, () => []);
  for (const id of agents) groups[effectiveGroup(groupOf, groupCount, id)]?.push(id);
  return groups.filter((g) => g.length > 0).map((g) => [...g].sort(compareIds));
}

/** A button bound to one command: disabled with a reason, or sending and noting the outcome. */
export function control(
  disabledBecause: string | null,
  title: string,
  send: () => string,
  note: (note: CommandNote) => void,
): Control {
  return {
    enabled: disabledBecause === null,
    title: disabledBecause ?? title,
    run: () => {
      if (disabledBecause !== null) return;
      try {
        note({ ok: true, text: send() });
      } catch (error) {
        note({ ok: false, text: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

/** A behaviour picker per alive member, showing what the snapshot says is in force. */
export function behaviourControls(
  snapshot: MeshSnapshot | null,
  wired: MeshCommands | null,
  note: (note: CommandNote) => void,
): BehaviourControl[] {
  if (snapshot === null) return [];
  const alive = snapshot.members.filter((m) => m.status === 'alive').map((m) => m.id);
  return alive.sort(compareIds).map((agent) => {
    const current = snapshot.chaos.behaviours[agent] ?? 'honest';
    const title = `${shortId(agent)}'s pBFT replica is ${current}; pick another behaviour to switch it.`;
    return {
      agent,
      self: agent === snapshot.selfId,
      current,
      enabled: wired !== null,
      title: wired === null ? NOT_WIRED : title,
      choose: (behaviour) =>
        control(
          wired === null ? NOT_WIRED : null,
          title,
          () => {
            wired?.setBehaviour(agent, behaviour);
            return `Behaviour sent: ${shortId(agent)} ${behaviour}`;
          },
          note,
        ).run(),
    };
  });
}

/**
 * Everything the chaos panel's buttons do, as plain functions of store state, so the panel is a
 * thin binding and the behaviour is testable without a DOM.
 */
export function chaosControls(input: ChaosControlsInput): ChaosControls {
  const { snapshot, commands, noteCommand } = input;
  const note = (n: CommandNote) => noteCommand(n);
  const agents = chaosAgents(snapshot);
  const groups = partitionGroups(agents, input.groupOf, input.groupCount);
  const wired: MeshCommands | null = commands;

  const freezeSeconds = parseIntInRange(
    input.freezeSecondsText,
    FREEZE_SECONDS_MIN,
    FREEZE_SECONDS_MAX,
  );
  const delayMs = parseIntInRange(input.linkDelayText, 0, LINK_DELAY_MS_MAX);
  const lossPercent = parseIntInRange(input.linkLossText, 0, LINK_LOSS_PERCENT_MAX);

  const cutReason =
    wired === null
      ? NOT_WIRED
      : groups.length < 2
        ? 'Put agents in at least two groups first: turn on partition mode and click nodes.'
        : null;
  const cut = control(
    cutReason,
    `Cut every link between the groups (${groups.map((g) => g.length).join(' | ')}).`,
    () => {
      wired?.partition(groups.map((g) => [...g]));
      return `Partition sent: ${groups.map((g) => g.length).join(' | ')}`;
    },
    note,
  );

  const heal = control(
    wired === null ? NOT_WIRED : null,
    'Remove every cut, delay and loss in the mesh.',
    () => {
      wired?.heal();
      return 'Heal sent';
    },
    note,
  );

  const target = input.selectedId;
  const freezeReason =
    wired === null
      ? NOT_WIRED
      : target === null || !agents.includes(target)
        ? 'Select an agent to freeze, on the graph or in a list.'
        : freezeSeconds === null
          ? `Seconds must be a whole number from ${FREEZE_SECONDS_MIN} to ${FREEZE_SECONDS_MAX}.`
          : null;
  const freeze = control(
    freezeReason,
    `Freeze ${target === null ? '' : shortId(target)} for ${freezeSeconds ?? '?'} s: it stops answering, then returns.`,
    () => {
      if (target === null || freezeSeconds === null) return '';
      wired?.freeze(target, freezeSeconds);
      return `Freeze sent: ${shortId(target)} for ${freezeSeconds} s`;
    },
    note,
  );

  const link = input.selectedLink;
  const linkKnown =
    link !== null &&
    snapshot !== null &&
    (link.a === snapshot.selfId || link.b === snapshot.selfId) &&
    snapshot.links.some((l) => l.peer === (link.a === snapshot.selfId ? link.b : link.a));
  const linkReason =
    wired === null
      ? NOT_WIRED
      : link === null
        ? 'Select a link: click one of your own links on the graph, or pick one above.'
        : !linkKnown
          ? 'The selected link is gone; select another.'
          : delayMs === null
            ? `Delay must be a whole number of ms from 0 to ${LINK_DELAY_MS_MAX}.`
            : lossPercent === null
              ? `Loss must be a whole percentage from 0 to ${LINK_LOSS_PERCENT_MAX}.`
              : null;
  const linkApply = control(
    linkReason,
    link === null
      ? ''
      : `Set ${shortId(link.a)} ↔ ${shortId(link.b)} to +${delayMs ?? '?'} ms, ${lossPercent ?? '?'} % loss.`,
    () => {
      if (link === null || delayMs === null || lossPercent === null) return '';
      wired?.setLinkFault(link.a, link.b, { delayMs, dropRate: lossPercent / 100 });
      return `Link fault sent: ${shortId(link.a)} ↔ ${shortId(link.b)} +${delayMs} ms, ${lossPercent} % loss`;
    },
    note,
  );

  const behaviours = behaviourControls(snapshot, wired, note);
  return {
    agents,
    groups,
    cut,
    heal,
    freeze,
    linkApply,
    behaviours,
    freezeSeconds,
    delayMs,
    lossPercent,
  };
}
