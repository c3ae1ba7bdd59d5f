/** The width of one slot of the flood window. */
export const FLOOD_SLOT_MS = 100;

/**
 * Which slots of the last `windowMs` saw a dropped frame. A socket that drops frames in half of
 * them is flooding. Unlike a run that any quiet second ends, a sliding window cannot be reset
 * by pausing: pauses only lower the share of slots marked.
 */
export class FloodWindow {
  private readonly slotMs: number;
  private readonly slotCount: number;
  /** Indices (time / slotMs) of the marked slots still in the window, oldest first. */
  private readonly marked: number[] = [];

  constructor(windowMs: number) {
    this.slotMs = Math.min(FLOOD_SLOT_MS, windowMs);
    this.slotCount = Math.max(1, Math.round(windowMs / this.slotMs));
  }

  /** Marks the slot of `nowMs`; true when half of the window's slots are now marked. */
  markDrop(nowMs: number): boolean {
    const slot = Math.floor(nowMs / this.slotMs);
    if (this.marked.at(-1) !== slot) this.marked.push(slot);
    while ((this.marked[0] as number) <= slot - this.slotCount) this.marked.shift();
    return this.marked.length * 2 >= this.slotCount;
  }

  /** How much of the window had drops, in ms (for the closing message). */
  droppingMs(): number {
    return this.marked.length * this.slotMs;
  }
}
