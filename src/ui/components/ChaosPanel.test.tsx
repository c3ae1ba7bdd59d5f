import { isValidElement, type ReactElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { shortId, type AgentId } from '../../core/base/ids';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import type { ChaosView, MeshCommands } from '../../host/meshSnapshot';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { count, renderStatic } from '../dev/renderStatic';
import { chaosControls, NOT_WIRED } from '../store/chaosControls';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import { BehaviourSelect } from './BehaviourSelect';
import { ChaosPanel } from './ChaosPanel';
import { MemberList } from './MemberList';

const [self, a, b] = [0, 1, 2].map(fixtureId) as [AgentId, AgentId, AgentId];

const noop: MeshCommands = {
  partition: () => {},
  heal: () => {},
  freeze: () => {},
  setBehaviour: () => {},
  setLinkFault: () => {},
};

function store(): MeshStore {
  const s = createMeshStore();
  s.getState().ingest({
    snapshot: buildSnapshot({
      selfId: self,
      peers: [{ id: a, rttMs: 1, fault: { delayMs: 40 } }, { id: b }],
      members: [{ id: self }, { id: a }, { id: b }],
    }),
    events: [],
    eventsDroppedBeforeIngest: 0,
  });
  return s;
}

/** The tooltip wrapper and the button tag of the control with this test id. */
function button(html: string, testId: string): { title: string; disabled: boolean } {
  const match = new RegExp(
    `<span class="control-wrap" title="([^"]*)"><button [^>]*data-testid="${testId}"([^>]*)>`,
  ).exec(html);
  if (match === null) throw new Error(`no button ${testId}`);
  return { title: match[1] ?? '', disabled: (match[2] ?? '').includes('disabled') };
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');

describe('ChaosPanel', () => {
  it('disables every command button with a tooltip while commands are not wired', () => {
    const s = store();
    s.getState().setGroup(a, 1);
    s.getState().select(a);
    s.getState().toggleLink(self, a);
    const html = renderStatic(s, <ChaosPanel />);

    expect(html).toContain('data-wired="false"');
    expect(html).toContain('data-testid="chaos-not-wired"');
    for (const id of ['chaos-cut', 'chaos-heal', 'chaos-freeze', 'chaos-link-apply']) {
      expect(button(html, id)).toEqual({ title: NOT_WIRED, disabled: true });
    }
  });

  it('enables the buttons once commands are wired and the selection is valid', () => {
    const s = store();
    s.getState().setCommands(noop);
    s.getState().setGroup(b, 1);
    s.getState().select(a);
    s.getState().toggleLink(self, a);
    const html = renderStatic(s, <ChaosPanel />);
    const controls = chaosControls(s.getState());

    expect(html).toContain('data-wired="true"');
    expect(html).not.toContain('data-testid="chaos-not-wired"');
    for (const [id, control] of [
      ['chaos-cut', controls.cut],
      ['chaos-heal', controls.heal],
      ['chaos-freeze', controls.freeze],
      ['chaos-link-apply', controls.linkApply],
    ] as const) {
      const rendered = button(html, id);
      expect(rendered.disabled).toBe(false);
      expect(decode(rendered.title)).toBe(control.title);
    }
    // The link inputs start from the link's current fault.
    expect(html).toMatch(/data-testid="chaos-link-delay"[^>]*value="40"/);
    expect(html).toMatch(/data-testid="chaos-link-loss"[^>]*value="0"/);
    expect(html).toMatch(/data-testid="chaos-freeze-seconds"[^>]*value="10"/);
  });

  it('explains a disabled cut when the groups are not drawn up, and a bad freeze input', () => {
    const s = store();
    s.getState().setCommands(noop);
    s.getState().select(a);
    s.getState().setFreezeSecondsText('90');
    const html = renderStatic(s, <ChaosPanel />);
    expect(button(html, 'chaos-cut').disabled).toBe(true);
    expect(button(html, 'chaos-cut').title).toMatch(/at least two groups/);
    expect(button(html, 'chaos-freeze').disabled).toBe(true);
    expect(button(html, 'chaos-freeze').title).toMatch(/from 1 to 60/);
    expect(html).toMatch(/data-testid="chaos-freeze-seconds"[^>]*aria-invalid="true"/);
    expect(button(html, 'chaos-heal').disabled).toBe(false);
  });

  it('shows the groups and the per-row group pickers in partition mode only', () => {
    const s = store();
    expect(count(renderStatic(s, <ChaosPanel />), 'data-testid="chaos-group"')).toBe(0);
    expect(count(renderStatic(s, <MemberList />), 'data-testid="group-select"')).toBe(0);

    s.getState().setPartitionMode(true);
    s.getState().setGroup(b, 1);
    const panel = renderStatic(s, <ChaosPanel />);
    expect(panel).toMatch(/data-testid="chaos-partition-mode"[^>]*checked=""/);
    expect(count(panel, 'data-testid="chaos-group"')).toBe(2);
    const members = renderStatic(s, <MemberList />);
    expect(count(members, 'data-testid="group-select"')).toBe(3);
    expect(members).toMatch(
      new RegExp(
        `data-agent-id="${b}"[^>]*><option value="0">G1</option><option value="1" selected="">G2`,
      ),
    );
  });

  it('shows who applied the last command, and on the issuer who it still waits for', () => {
    const s = store();
    const issued: NonNullable<ChaosView['lastCommand']> = {
      id: 'ab'.repeat(8),
      kind: 'heal' as const,
      issuer: self,
      applied: [self, a],
      awaiting: [b],
      gaveUp: false,
    };
    const withCommand = (lastCommand: ChaosView['lastCommand']) =>
      s.getState().ingest({
        snapshot: buildSnapshot({
          selfId: self,
          peers: [{ id: a }, { id: b }],
          members: [{ id: self }, { id: a }, { id: b }],
          chaos: { lastCommand },
        }),
        events: [],
        eventsDroppedBeforeIngest: 0,
      });
    expect(renderStatic(s, <ChaosPanel />)).not.toContain('data-testid="chaos-delivery"');
    withCommand(issued);
    let html = renderStatic(s, <ChaosPanel />);
    expect(html).toMatch(
      /data-testid="chaos-delivery"[^>]*data-applied="2" data-awaiting="1" data-status="sending again"/,
    );
    expect(html).toContain('Heal by you: sending again');
    expect(count(html, 'data-testid="chaos-applied"')).toBe(2);
    expect(html).toMatch(new RegExp(`data-testid="chaos-awaiting" data-agent-id="${b}"`));
    withCommand({ ...issued, applied: [self, a, b], awaiting: [] });
    expect(renderStatic(s, <ChaosPanel />)).toContain('data-status="applied everywhere"');
    withCommand({ ...issued, issuer: a, awaiting: null });
    html = renderStatic(s, <ChaosPanel />);
    expect(html).toContain('data-status="heard"');
    expect(html).not.toContain('data-testid="chaos-awaiting"');
  });
});

type SelectProps = { 'data-testid'?: string; onChange?: (event: unknown) => void };

/** The first element under `node` whose test id starts with `prefix` (no DOM in these tests). */
function findByTestId(node: ReactNode, prefix: string): ReactElement<SelectProps> | null {
  if (Array.isArray(node)) {
    for (const child of node as ReactNode[]) {
      const found = findByTestId(child, prefix);
      if (found !== null) return found;
    }
    return null;
  }
  if (!isValidElement<SelectProps & { children?: ReactNode }>(node)) return null;
  if (node.props['data-testid']?.startsWith(prefix) === true) return node;
  return findByTestId(node.props.children, prefix);
}

describe('ChaosPanel behaviour selects', () => {
  function withBehaviours(behaviours: Record<AgentId, ByzantineBehaviour>): MeshStore {
    const s = createMeshStore();
    s.getState().ingest({
      snapshot: buildSnapshot({
        selfId: self,
        peers: [{ id: a }, { id: b }],
        members: [{ id: self }, { id: a }, { id: b, status: 'dead' }],
        chaos: { behaviours },
      }),
      events: [],
      eventsDroppedBeforeIngest: 0,
    });
    return s;
  }

  /** The markup of the behaviour select of `agent`, up to its closing tag. */
  function selectOf(html: string, agent: AgentId): string {
    const start = html.indexOf(`data-testid="behaviour-select-${agent}"`);
    if (start < 0) throw new Error(`no behaviour select for ${agent}`);
    return html.slice(start, html.indexOf('</select>', start));
  }

  it('shows one select per alive member, labelled with its short id, with the behaviour in force', () => {
    const s = withBehaviours({ [a]: 'conflicting-votes' });
    s.getState().setCommands(noop);
    const html = renderStatic(s, <ChaosPanel />);
    expect(count(html, 'data-testid="behaviour-select-')).toBe(2);
    expect(html).not.toContain(`behaviour-select-${b}`);
    expect(html).toContain(
      `<span class="mono">${shortId(a)}</span><select data-testid="behaviour-select-${a}"`,
    );
    expect(selectOf(html, a)).toContain('data-behaviour="conflicting-votes"');
    expect(selectOf(html, a)).toContain('<option value="conflicting-votes" title="');
    expect(selectOf(html, a)).toMatch(/<option value="conflicting-votes"[^>]*selected=""/);
    expect(selectOf(html, a)).not.toMatch(/<option value="honest"[^>]*selected=""/);
    expect(selectOf(html, self)).toMatch(/<option value="honest"[^>]*selected=""/);
    expect(count(selectOf(html, self), '<option ')).toBe(8);
    expect(selectOf(html, self)).not.toContain('disabled');
  });

  it('disables the selects while commands are not wired', () => {
    const html = renderStatic(withBehaviours({}), <ChaosPanel />);
    expect(selectOf(html, a)).toContain('disabled=""');
  });

  it('sends setBehaviour for the agent when another behaviour is selected', () => {
    const s = withBehaviours({ [a]: 'silent' });
    const calls: [AgentId, ByzantineBehaviour][] = [];
    s.getState().setCommands({ ...noop, setBehaviour: (agent, b) => void calls.push([agent, b]) });
    const control = chaosControls(s.getState()).behaviours.find((c) => c.agent === a);
    if (control === undefined) throw new Error('no behaviour control for a');
    const select = findByTestId(BehaviourSelect({ control }), 'behaviour-select-');
    expect(select?.props['data-testid']).toBe(`behaviour-select-${a}`);

    select?.props.onChange?.({ target: { value: 'replay' } });
    select?.props.onChange?.({ target: { value: 'not-a-behaviour' } });
    expect(calls).toEqual([[a, 'replay']]);
    expect(s.getState().lastCommand).toEqual({
      ok: true,
      text: `Behaviour sent: ${shortId(a)} replay`,
    });
  });
});
