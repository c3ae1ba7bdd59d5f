import { easeQuadInOut, now, select, timer, type Timer } from 'd3';
import { useEffect, useRef } from 'react';
import type { AgentId } from '../../core/base/ids';
import type { ConsensusMessageView } from '../../host/consensusView';
import { MAX_PULSES_IN_FLIGHT, planPulses, PULSE_DURATION_MS } from '../charts/consensusPulses';
import { pulseColour } from '../charts/palette';
import type { Point } from '../charts/topologyLayout';

const PULSE_RADIUS_PX = 4;
const FRAME_MS = 50;

export interface TopologyPulsesProps {
  /** The snapshot's recent pBFT messages, or null when the agent runs without pBFT. */
  messages: readonly ConsensusMessageView[] | null;
  /** True when the graph draws a live (not cut) edge between the two agents. */
  drawn(from: AgentId, to: AgentId): boolean;
  at(id: AgentId): Point;
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

interface Dot {
  circle: SVGCircleElement;
  from: Point;
  to: Point;
  startMs: number;
}

/**
 * The dots in flight, moved by one d3 timer (one animation-frame callback for all of them, which
 * runs only while a dot travels): a timer per dot cost a busy page most of a core.
 */
class PulseFlight {
  private readonly dots = new Set<Dot>();
  private mover: Timer | null = null;
  private movedAtMs = -Infinity;

  get size(): number {
    return this.dots.size;
  }

  launch(layer: SVGGElement, from: Point, to: Point, colour: string): void {
    const circle = select(layer)
      .append('circle')
      .attr('class', 'pulse')
      .attr('r', PULSE_RADIUS_PX)
      .attr('cx', from.x)
      .attr('cy', from.y)
      .style('fill', colour)
      .node();
    if (circle === null) return;
    this.dots.add({ circle, from, to, startMs: now() });
    this.mover ??= timer(() => this.move());
  }

  stop(): void {
    this.mover?.stop();
    this.mover = null;
    for (const dot of this.dots) dot.circle.remove();
    this.dots.clear();
  }

  private move(): void {
    const nowMs = now();
    // Each move repaints the whole graph: 20 frames a second look smooth enough for a dot.
    if (nowMs - this.movedAtMs < FRAME_MS) return;
    this.movedAtMs = nowMs;
    for (const dot of this.dots) {
      const done = Math.min(1, (nowMs - dot.startMs) / PULSE_DURATION_MS);
      const k = easeQuadInOut(done);
      dot.circle.setAttribute('cx', String(dot.from.x + (dot.to.x - dot.from.x) * k));
      dot.circle.setAttribute('cy', String(dot.from.y + (dot.to.y - dot.from.y) * k));
      if (done < 1) continue;
      dot.circle.remove();
      this.dots.delete(dot);
    }
    if (this.dots.size > 0) return;
    this.mover?.stop();
    this.mover = null;
  }
}

/**
 * A dot per new pBFT message, travelling from sender to receiver. React renders the empty layer
 * once; d3 appends the dots and moves them (d3 timers share one animation-frame loop), so the
 * graph does not re-render while they travel.
 */
export function TopologyPulses({ messages, drawn, at }: TopologyPulsesProps) {
  const layerRef = useRef<SVGGElement>(null);
  const seenRef = useRef<ReadonlySet<string> | null>(null);
  const flightRef = useRef<PulseFlight>(new PulseFlight());

  useEffect(() => {
    const flight = flightRef.current;
    return () => flight.stop();
  }, []);

  // Re-runs on every graph render; planPulses only returns messages not seen before, so a
  // render without a new snapshot starts nothing.
  useEffect(() => {
    const layer = layerRef.current;
    if (layer === null) return;
    if (messages === null) {
      seenRef.current = null;
      return;
    }
    const room = MAX_PULSES_IN_FLIGHT - flightRef.current.size;
    const plan = planPulses(messages, seenRef.current, drawn, room);
    seenRef.current = plan.seen;
    if (reducedMotion()) return;
    for (const m of plan.fresh) {
      flightRef.current.launch(layer, at(m.from), at(m.to), pulseColour(m.type));
    }
  }, [messages, drawn, at]);

  return <g className="pulses" ref={layerRef} data-testid="topology-pulses" aria-hidden="true" />;
}
