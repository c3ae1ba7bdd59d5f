/** What the queue orders by: time first, then the order of scheduling, so ties are deterministic. */
export interface Queued {
  atMs: number;
  seq: number;
}

const INITIAL_CAPACITY = 1024;

/**
 * Binary min-heap keyed by (atMs, seq). `push` stamps the sequence number, so two events for the
 * same instant come out in the order they were scheduled, run after run. The keys are kept in
 * typed arrays beside the items: a sift compares keys without touching the items, which at a
 * thousand agents are spread over a large heap (each touch a cache miss). An item's atMs must
 * not change while it is queued.
 */
export class EventQueue<T extends Queued> {
  private items: (T | undefined)[] = [];
  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private count = 0;
  private nextSeq = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const seq = this.nextSeq++;
    item.seq = seq;
    const atMs = item.atMs;
    if (this.count === this.times.length) this.grow();
    const { times, seqs } = this;
    let index = this.count++;
    // Sift up: move the parent down until the item's place is found (sequences are unique).
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentMs = times[parent] as number;
      if (atMs > parentMs || (atMs === parentMs && seq > (seqs[parent] as number))) break;
      this.move(parent, index);
      index = parent;
    }
    this.place(index, item, atMs, seq);
  }

  peek(): T | undefined {
    return this.count > 0 ? this.items[0] : undefined;
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const { items, times, seqs } = this;
    const top = items[0];
    const size = --this.count;
    const last = items[size];
    const lastMs = times[size] as number;
    const lastSeq = seqs[size] as number;
    items[size] = undefined;
    if (size === 0) return top;
    // Sift the former last item down from the root.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      let childMs = times[left] as number;
      if (right < size) {
        const rightMs = times[right] as number;
        if (
          rightMs < childMs ||
          (rightMs === childMs && (seqs[right] as number) < (seqs[left] as number))
        ) {
          child = right;
          childMs = rightMs;
        }
      }
      if (!(childMs < lastMs || (childMs === lastMs && (seqs[child] as number) < lastSeq))) break;
      this.move(child, index);
      index = child;
    }
    this.place(index, last, lastMs, lastSeq);
    return top;
  }

  private move(from: number, to: number): void {
    this.place(to, this.items[from], this.times[from] as number, this.seqs[from] as number);
  }

  private place(index: number, item: T | undefined, atMs: number, seq: number): void {
    this.items[index] = item;
    this.times[index] = atMs;
    this.seqs[index] = seq;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
