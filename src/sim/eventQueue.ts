/** What the queue orders by: time first, then the order of scheduling, so ties are deterministic. */
export interface Queued {
  atMs: number;
  seq: number;
}

function before(x: Queued, y: Queued): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}

/**
 * Binary min-heap keyed by (atMs, seq). `push` stamps the sequence number, so two events for the
 * same instant come out in the order they were scheduled, run after run.
 */
export class EventQueue<T extends Queued> {
  private readonly heap: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    item.seq = this.nextSeq++;
    const heap = this.heap;
    let index = heap.length;
    heap.push(item);
    // Sift up: move the parent down until the item's place is found.
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as T;
      if (!before(item, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = item;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift the former last item down from the root.
    const size = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && before(heap[right] as T, heap[left] as T)) child = right;
      const smallest = heap[child] as T;
      if (!before(smallest, last)) break;
      heap[index] = smallest;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}
