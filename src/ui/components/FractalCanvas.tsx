import { useEffect, useRef } from 'react';
import { escapeColourTable, paintTile } from '../charts/fractalTiles';
import type { FractalSpec, RenderedTile } from '../store/fractalRender';
import type { FractalRender } from '../store/tasksSlice';
import type { AgentColourOf } from './useAgentColours';

/** Not yet computed: a light grey, so the tiles visibly fill in. */
const PENDING_FILL = '#e2e8f0';
const PENDING_GRID = '#cbd5e1';
/** The owner's tint over a tile and its outline, on top of the escape colours. */
const TINT_ALPHA = 0.2;
const OUTLINE_PX = 2;

interface Drawn {
  renderId: number;
  tiles: number;
  showOwners: boolean;
  colourOf: AgentColourOf | null;
  table: Uint8ClampedArray | null;
  maxIter: number;
}

function drawPending(context: CanvasRenderingContext2D, spec: FractalSpec): void {
  context.fillStyle = PENDING_FILL;
  context.fillRect(0, 0, spec.widthPx, spec.heightPx);
  context.strokeStyle = PENDING_GRID;
  context.lineWidth = 1;
  context.beginPath();
  for (let x = spec.tileSizePx; x < spec.widthPx; x += spec.tileSizePx) {
    context.moveTo(x + 0.5, 0);
    context.lineTo(x + 0.5, spec.heightPx);
  }
  for (let y = spec.tileSizePx; y < spec.heightPx; y += spec.tileSizePx) {
    context.moveTo(0, y + 0.5);
    context.lineTo(spec.widthPx, y + 0.5);
  }
  context.stroke();
}

function drawTile(
  context: CanvasRenderingContext2D,
  tile: RenderedTile,
  spec: FractalSpec,
  table: Uint8ClampedArray,
  colour: string | null,
): void {
  const pixels = paintTile(tile, spec, table);
  if (pixels === null) return;
  const { x, y, widthPx, heightPx } = pixels;
  context.putImageData(new ImageData(pixels.rgba, widthPx, heightPx), x, y);
  if (colour === null) return;
  context.save();
  context.globalAlpha = TINT_ALPHA;
  context.fillStyle = colour;
  context.fillRect(x, y, widthPx, heightPx);
  context.globalAlpha = 0.95;
  context.strokeStyle = colour;
  context.lineWidth = OUTLINE_PX;
  const inset = OUTLINE_PX / 2;
  context.strokeRect(x + inset, y + inset, widthPx - OUTLINE_PX, heightPx - OUTLINE_PX);
  context.restore();
}

export interface FractalCanvasProps {
  render: FractalRender | null;
  colourOf: AgentColourOf;
  /** Tint and outline each tile in the colour of the agent that computed it. */
  showOwners: boolean;
}

/**
 * The render as it assembles. React owns the element; an effect paints only the tiles added
 * since the last paint, and repaints everything only for a new render, the owner toggle or
 * changed agent colours.
 */
export function FractalCanvas({ render, colourOf, showOwners }: FractalCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<Drawn>({
    renderId: -1,
    tiles: 0,
    showOwners,
    colourOf: null,
    table: null,
    maxIter: -1,
  });
  useEffect(() => {
    const context = ref.current?.getContext('2d') ?? null;
    if (context === null || render === null) return;
    const state = drawn.current;
    const { spec } = render;
    if (
      state.renderId !== render.renderId ||
      state.showOwners !== showOwners ||
      state.colourOf !== colourOf
    ) {
      drawPending(context, spec);
      Object.assign(state, { renderId: render.renderId, tiles: 0, showOwners, colourOf });
    }
    if (state.table === null || state.maxIter !== spec.maxIter) {
      state.table = escapeColourTable(spec.maxIter);
      state.maxIter = spec.maxIter;
    }
    for (const tile of render.tiles.slice(state.tiles)) {
      drawTile(context, tile, spec, state.table, showOwners ? colourOf(tile.owner) : null);
    }
    state.tiles = render.tiles.length;
  }, [render, showOwners, colourOf]);

  if (render === null)
    return (
      <p className="placeholder">Press “Render fractal”: the tiles appear as agents finish them.</p>
    );
  return (
    <canvas
      ref={ref}
      className="fractal-canvas"
      data-testid="fractal-canvas"
      data-render-id={render.renderId}
      data-tiles={render.tiles.length}
      width={render.spec.widthPx}
      height={render.spec.heightPx}
      role="img"
      aria-label={`Mandelbrot render, ${render.tiles.length} of ${render.totalTiles} tiles drawn`}
    />
  );
}
