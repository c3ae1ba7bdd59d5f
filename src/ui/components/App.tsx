import { useContext, useMemo, type ReactNode } from 'react';
import { MeshStoreContext } from '../store/context';
import { slowedView } from '../store/slowedView';
import { isMemberEvent } from '../store/membershipSelectors';
import { useMeshStore } from '../store/useMeshStore';
import { PANEL_TABS, shownTab, type PanelTab } from '../store/viewSlice';
import { ChaosPanel } from './ChaosPanel';
import { ConsensusPanel } from './ConsensusPanel';
import { EventLog } from './EventLog';
import { Header } from './Header';
import { MemberList } from './MemberList';
import { MemoryBrowser } from './MemoryBrowser';
import { MembershipTimeline } from './MembershipTimeline';
import { PeerList } from './PeerList';
import { RaftPanel } from './RaftPanel';
import { TasksPanel } from './TasksPanel';
import { TopologyGraph } from './TopologyGraph';
import { TopologyLegend } from './TopologyLegend';

const TAB_TITLES: Record<PanelTab, string> = {
  peers: 'Peers',
  members: 'Members',
  timeline: 'Timeline',
  memory: 'Memory',
  consensus: 'Consensus',
  raft: 'Raft',
  tasks: 'Tasks',
  events: 'Events',
};

const TAB_CONTENT: Record<PanelTab, () => ReactNode> = {
  peers: () => <PeerList />,
  members: () => <MemberList />,
  timeline: () => <MembershipTimeline />,
  memory: () => <MemoryBrowser />,
  consensus: () => <ConsensusPanel />,
  raft: () => <RaftPanel />,
  tasks: () => <TasksPanel />,
  events: () => <EventLog />,
};

function TabCount({ tab }: { tab: PanelTab }) {
  const count = useMeshStore((s) => {
    if (tab === 'events') return s.events.length;
    if (tab === 'timeline') return s.events.reduce((n, e) => (isMemberEvent(e) ? n + 1 : n), 0);
    if (tab === 'memory') return s.memory?.namespaces.reduce((n, ns) => n + ns.count, 0) ?? 0;
    if (s.snapshot === null) return 0;
    if (tab === 'peers') return s.snapshot.links.length;
    if (tab === 'consensus') return s.snapshot.consensus?.log.length ?? 0;
    if (tab === 'raft') return s.snapshot.ledger?.status.commitIndex ?? 0;
    if (tab === 'tasks') return (s.snapshot.tasks?.queued ?? 0) + (s.snapshot.tasks?.running ?? 0);
    return s.snapshot.members.length;
  });
  const alerts = useMeshStore((s) => {
    if (s.snapshot === null) return 0;
    if (tab === 'members')
      return s.snapshot.members.filter((m) => m.status === 'suspect' || m.status === 'dead').length;
    if (tab === 'consensus')
      return new Set(s.snapshot.consensus?.flagged.map((f) => f.replica)).size;
    if (tab === 'tasks')
      return s.snapshot.tasks?.decisions.filter((d) => d.type === 'task-error').length ?? 0;
    return 0;
  });
  const alertTitle =
    tab === 'consensus'
      ? `${alerts} replicas flagged`
      : tab === 'tasks'
        ? `${alerts} task errors among the recent decisions`
        : `${alerts} suspect or dead`;
  return (
    <span className="tab-count">
      {count}
      {alerts > 0 && (
        <span className="tab-alert" title={alertTitle}>
          {alerts}
        </span>
      )}
    </span>
  );
}

/** How often a hidden tab panel catches up with the store: its markup stays current for readers. */
const HIDDEN_PANEL_GAP_MS = 2000;

/**
 * Hidden panels that still follow every store update: the event log, whose rows are cheap to
 * add and are read from the markup (`event-row`) whatever tab is shown.
 */
const LIVE_WHEN_HIDDEN: ReadonlySet<PanelTab> = new Set(['events']);

/**
 * The tabs under the topology (PANEL_TABS). Every panel stays mounted; a hidden one (but the
 * event log) reads the store through a slowed view, so it renders every HIDDEN_PANEL_GAP_MS
 * instead of with every snapshot, and catches up as soon as it is shown.
 */
function TabbedPanels() {
  const store = useContext(MeshStoreContext);
  const slowed = useMemo(
    () => (store === null ? null : slowedView(store, HIDDEN_PANEL_GAP_MS)),
    [store],
  );
  const activeTab = useMeshStore((s) =>
    shownTab(s.activeTab, s.snapshot !== null && s.snapshot.members.length > 0),
  );
  const setActiveTab = useMeshStore((s) => s.setActiveTab);
  return (
    <section className="panel panel--tabs">
      <div className="tab-bar" role="tablist" aria-label="Details">
        {PANEL_TABS.map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            id={`tab-${tab}`}
            className={`tab${tab === activeTab ? ' is-active' : ''}`}
            data-testid={`tab-${tab}`}
            aria-selected={tab === activeTab}
            aria-controls={`tabpanel-${tab}`}
            onClick={() => setActiveTab(tab)}
          >
            {TAB_TITLES[tab]}
            <TabCount tab={tab} />
          </button>
        ))}
      </div>
      {PANEL_TABS.map((tab) => (
        <div
          key={tab}
          id={`tabpanel-${tab}`}
          className="tab-panel"
          role="tabpanel"
          aria-labelledby={`tab-${tab}`}
          hidden={tab !== activeTab}
        >
          <MeshStoreContext value={tab === activeTab || LIVE_WHEN_HIDDEN.has(tab) ? store : slowed}>
            {TAB_CONTENT[tab]()}
          </MeshStoreContext>
        </div>
      ))}
    </section>
  );
}

export function App() {
  return (
    <div className="app">
      <Header />
      <main className="app-main">
        <section className="panel panel--topology" aria-labelledby="topology-title">
          <div className="panel-head">
            <h2 id="topology-title">Topology</h2>
            <TopologyLegend />
          </div>
          <TopologyGraph />
        </section>
        <TabbedPanels />
        <section className="panel panel--chaos" aria-labelledby="chaos-title">
          <div className="panel-head">
            <h2 id="chaos-title">Chaos</h2>
          </div>
          <ChaosPanel />
        </section>
      </main>
    </div>
  );
}
