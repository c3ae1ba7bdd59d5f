import { EventLog } from './EventLog';
import { Header } from './Header';
import { PeerList } from './PeerList';
import { TopologyGraph } from './TopologyGraph';
import { TopologyLegend } from './TopologyLegend';
import { useMeshStore } from '../store/useMeshStore';

function EventCount() {
  const count = useMeshStore((s) => s.events.length);
  return <span className="panel-count">{count}</span>;
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
        <section className="panel panel--peers" aria-labelledby="peers-title">
          <div className="panel-head">
            <h2 id="peers-title">Peers</h2>
          </div>
          <PeerList />
        </section>
        <section className="panel panel--events" aria-labelledby="events-title">
          <div className="panel-head">
            <h2 id="events-title">Events</h2>
            <EventCount />
          </div>
          <EventLog />
        </section>
      </main>
    </div>
  );
}
