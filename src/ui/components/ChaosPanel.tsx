import { BehaviourSelect } from './BehaviourSelect';
import { CommandDelivery } from './CommandDelivery';
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { shortId, type AgentId } from '../../core/base/ids';
import { groupColour } from '../charts/palette';
import {
  chaosControls,
  FREEZE_SECONDS_MAX,
  FREEZE_SECONDS_MIN,
  LINK_DELAY_MS_MAX,
  LINK_LOSS_PERCENT_MAX,
  type ChaosControlsInput,
  type Control,
} from '../store/chaosControls';
import { effectiveGroup, MAX_GROUPS, MIN_GROUPS } from '../store/chaosSlice';
import type { MeshState } from '../store/meshStore';
import { useMeshStore } from '../store/useMeshStore';
import { FaultChips } from './FaultChips';
import { describeFault } from './format';

function ControlButton({
  control,
  testId,
  className,
  children,
}: {
  control: Control;
  testId: string;
  className: string;
  children: string;
}) {
  // A disabled button gets no hover events in most browsers: the tooltip sits on a wrapper.
  return (
    <span className="control-wrap" title={control.title}>
      <button
        type="button"
        className={`button ${className}`}
        data-testid={testId}
        disabled={!control.enabled}
        onClick={control.run}
      >
        {children}
      </button>
    </span>
  );
}

interface RangeFieldSpec {
  label: string;
  max: number;
  step: number;
  testId: string;
}

const LINK_DELAY_FIELD: RangeFieldSpec = {
  label: 'delay ms',
  max: LINK_DELAY_MS_MAX,
  step: 10,
  testId: 'chaos-link-delay',
};
const LINK_LOSS_FIELD: RangeFieldSpec = {
  label: 'loss %',
  max: LINK_LOSS_PERCENT_MAX,
  step: 1,
  testId: 'chaos-link-loss',
};

/** A whole number typed, or picked on a slider beside it; `value` is null while the text is invalid. */
function RangeField({
  field,
  value,
  text,
  onText,
}: {
  field: RangeFieldSpec;
  value: number | null;
  text: string;
  onText: (text: string) => void;
}) {
  const { label, max, step, testId } = field;
  return (
    <div className="field-row">
      <label className="field">
        <span>{label}</span>
        <span className="range-pair">
          <input
            type="range"
            min={0}
            max={max}
            step={step}
            aria-hidden="true"
            tabIndex={-1}
            value={value ?? 0}
            onChange={(event) => onText(event.target.value)}
          />
          <input
            type="number"
            min={0}
            max={max}
            step={step}
            data-testid={testId}
            aria-invalid={value === null}
            value={text}
            onChange={(event) => onText(event.target.value)}
          />
        </span>
      </label>
    </div>
  );
}

/** What the chaos controls are computed from; `useShallow` keeps it stable between renders. */
function chaosInput(s: MeshState): ChaosControlsInput {
  return {
    snapshot: s.snapshot,
    commands: s.commands,
    groupOf: s.groupOf,
    groupCount: s.groupCount,
    selectedId: s.selectedId,
    selectedLink: s.selectedLink,
    freezeSecondsText: s.freezeSecondsText,
    linkDelayText: s.linkDelayText,
    linkLossText: s.linkLossText,
    noteCommand: s.noteCommand,
  };
}

const GROUP_COUNTS = Array.from({ length: MAX_GROUPS - MIN_GROUPS + 1 }, (_, i) => MIN_GROUPS + i);

/**
 * Chaos controls: draw up and cut a partition, heal, freeze an agent, switch an agent's pBFT
 * behaviour, add delay or loss to a link. Every control sends one of the injected MeshCommands
 * (see store/chaosControls).
 */
export function ChaosPanel() {
  const input = useMeshStore(useShallow(chaosInput));
  const { snapshot, commands, groupOf, groupCount, selectedId, selectedLink } = input;
  const { freezeSecondsText, linkDelayText, linkLossText } = input;
  const partitionMode = useMeshStore((s) => s.partitionMode);
  const lastCommand = useMeshStore((s) => s.lastCommand);
  const setPartitionMode = useMeshStore((s) => s.setPartitionMode);
  const setGroupCount = useMeshStore((s) => s.setGroupCount);
  const cycleGroup = useMeshStore((s) => s.cycleGroup);
  const clearGroups = useMeshStore((s) => s.clearGroups);
  const select = useMeshStore((s) => s.select);
  const selectLink = useMeshStore((s) => s.selectLink);
  const setFreezeSecondsText = useMeshStore((s) => s.setFreezeSecondsText);
  const setLinkDelayText = useMeshStore((s) => s.setLinkDelayText);
  const setLinkLossText = useMeshStore((s) => s.setLinkLossText);

  const controls = useMemo(() => chaosControls(input), [input]);

  const members = useMemo(() => {
    const byGroup: AgentId[][] = Array.from({ length: groupCount }, () => []);
    for (const id of controls.agents) byGroup[effectiveGroup(groupOf, groupCount, id)]?.push(id);
    return byGroup;
  }, [controls.agents, groupOf, groupCount]);

  const selfId = snapshot?.selfId ?? null;
  const ownLinks =
    snapshot === null ? [] : snapshot.links.filter((l) => l.peer !== snapshot.selfId);
  const linkPeer =
    selectedLink === null || selfId === null
      ? ''
      : selectedLink.a === selfId
        ? selectedLink.b
        : selectedLink.b === selfId
          ? selectedLink.a
          : '';
  const activePartition = snapshot?.chaos.partition ?? null;
  const faulted = ownLinks
    .filter((l) => describeFault(l.fault).length > 0)
    .map((l) => ({ peer: l.peer, fault: l.fault }));

  return (
    <div
      className="chaos"
      data-testid="chaos-panel"
      data-wired={commands !== null ? 'true' : 'false'}
    >
      {commands === null && (
        <p className="chaos-note chaos-note--warn" data-testid="chaos-not-wired">
          Chaos commands are not connected in this page yet; controls are disabled.
        </p>
      )}

      <section className="chaos-section" aria-labelledby="chaos-partition-title">
        <div className="chaos-section-head">
          <h3 id="chaos-partition-title">Partition</h3>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              data-testid="chaos-partition-mode"
              checked={partitionMode}
              onChange={(event) => setPartitionMode(event.target.checked)}
            />
            <span className="switch-track" aria-hidden="true" />
            <span>partition mode</span>
          </label>
        </div>
        {activePartition !== null && (
          <p className="chaos-note chaos-note--bad">
            Active: {activePartition.map((g) => g.length).join(' | ')} — heal to merge.
          </p>
        )}
        {partitionMode ? (
          <>
            <div className="segmented" role="group" aria-label="Number of groups">
              {GROUP_COUNTS.map((n) => (
                <button
                  key={n}
                  type="button"
                  className={n === groupCount ? 'is-on' : undefined}
                  aria-pressed={n === groupCount}
                  data-testid={`chaos-group-count-${n}`}
                  onClick={() => setGroupCount(n)}
                >
                  {n} groups
                </button>
              ))}
            </div>
            <ul className="group-legend" aria-label="Groups">
              {members.map((ids, group) => (
                <li key={group} data-testid="chaos-group" data-group={group}>
                  <span className="group-swatch" style={{ background: groupColour(group) }} />
                  <span className="group-name">G{group + 1}</span>
                  <span className="group-members">
                    {ids.length === 0 ? (
                      <span className="muted">empty</span>
                    ) : (
                      ids.map((id) => (
                        <button
                          key={id}
                          type="button"
                          className="chip chip--agent mono"
                          title={`${id}\nclick: move to the next group`}
                          style={{ borderColor: groupColour(group) }}
                          onClick={() => cycleGroup(id)}
                        >
                          {id === selfId ? 'you' : shortId(id)}
                        </button>
                      ))
                    )}
                  </span>
                </li>
              ))}
            </ul>
            <p className="chaos-hint muted">
              Click agents on the graph, or pick a group in the lists.{' '}
              <button type="button" className="link-button" onClick={clearGroups}>
                Reset
              </button>
            </p>
          </>
        ) : (
          <p className="chaos-hint muted">
            Turn on partition mode, then click agents to put them in groups.
          </p>
        )}
        <div className="chaos-actions">
          <ControlButton control={controls.cut} testId="chaos-cut" className="button--danger">
            Cut between groups
          </ControlButton>
          <ControlButton control={controls.heal} testId="chaos-heal" className="button--ok">
            Heal
          </ControlButton>
        </div>
      </section>

      <section className="chaos-section" aria-labelledby="chaos-freeze-title">
        <h3 id="chaos-freeze-title">Freeze an agent</h3>
        <div className="field-row">
          <label className="field">
            <span>agent</span>
            <select
              data-testid="chaos-freeze-agent"
              value={selectedId ?? ''}
              onChange={(event) =>
                select(event.target.value === '' ? null : (event.target.value as AgentId))
              }
            >
              <option value="">— select —</option>
              {controls.agents.map((id) => (
                <option key={id} value={id}>
                  {shortId(id)}
                  {id === selfId ? ' (you)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field field--narrow">
            <span>seconds</span>
            <input
              type="number"
              inputMode="numeric"
              min={FREEZE_SECONDS_MIN}
              max={FREEZE_SECONDS_MAX}
              step={1}
              data-testid="chaos-freeze-seconds"
              aria-invalid={controls.freezeSeconds === null}
              value={freezeSecondsText}
              onChange={(event) => setFreezeSecondsText(event.target.value)}
            />
          </label>
          <ControlButton control={controls.freeze} testId="chaos-freeze" className="button--warn">
            Freeze
          </ControlButton>
        </div>
      </section>

      <section className="chaos-section" aria-labelledby="chaos-behaviour-title">
        <h3 id="chaos-behaviour-title">Byzantine behaviour</h3>
        {controls.behaviours.length === 0 ? (
          <p className="chaos-hint muted">No alive members yet.</p>
        ) : (
          <ul className="fault-list" data-testid="chaos-behaviours">
            {controls.behaviours.map((control) => (
              <BehaviourSelect key={control.agent} control={control} />
            ))}
          </ul>
        )}
      </section>

      <section className="chaos-section" aria-labelledby="chaos-link-title">
        <h3 id="chaos-link-title">Link delay and loss</h3>
        <label className="field">
          <span>link</span>
          <select
            data-testid="chaos-link-select"
            value={linkPeer}
            onChange={(event) =>
              selfId !== null && event.target.value !== ''
                ? selectLink({ a: selfId, b: event.target.value as AgentId })
                : selectLink(null)
            }
          >
            <option value="">— click an own link on the graph —</option>
            {ownLinks.map((l) => (
              <option key={l.peer} value={l.peer}>
                you ↔ {shortId(l.peer)} ({l.state})
              </option>
            ))}
          </select>
        </label>
        <RangeField
          field={LINK_DELAY_FIELD}
          value={controls.delayMs}
          text={linkDelayText}
          onText={setLinkDelayText}
        />
        <RangeField
          field={LINK_LOSS_FIELD}
          value={controls.lossPercent}
          text={linkLossText}
          onText={setLinkLossText}
        />
        <div className="chaos-actions">
          <ControlButton
            control={controls.linkApply}
            testId="chaos-link-apply"
            className="button--primary"
          >
            Apply to link
          </ControlButton>
        </div>
      </section>

      <section className="chaos-section" aria-labelledby="chaos-faults-title">
        <h3 id="chaos-faults-title">Faults on your links</h3>
        {faulted.length === 0 ? (
          <p className="chaos-hint muted">None: every link of yours passes traffic untouched.</p>
        ) : (
          <ul className="fault-list" data-testid="chaos-active-faults">
            {faulted.map(({ peer, fault }) => (
              <li key={peer}>
                <span className="mono">you ↔ {shortId(peer)}</span>
                <FaultChips fault={fault} />
              </li>
            ))}
          </ul>
        )}
      </section>

      {lastCommand !== null && (
        <p
          className={`chaos-note chaos-note--${lastCommand.ok ? 'ok' : 'bad'}`}
          data-testid="chaos-last-command"
          data-ok={lastCommand.ok ? 'true' : 'false'}
          role="status"
        >
          {lastCommand.ok ? lastCommand.text : `Failed: ${lastCommand.text}`}
        </p>
      )}
      <CommandDelivery command={snapshot?.chaos.lastCommand ?? null} selfId={selfId} />
    </div>
  );
}
