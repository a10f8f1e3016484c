/**
 * A binary min-heap: the earliest free runner or the next simulated event in O(log n). Items that
 * compare equal come out in no particular order, so callers that need repeatable ties put a
 * sequence number in the comparison.
 */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly before: (a: T, b: T) => number,
    values: Iterable<T> = [],
  ) {
    for (const value of values) this.push(value);
  }

  get size(): number {
    return this.items.length;
  }

  push(value: T): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent];
      if (above === undefined || this.before(above, value) <= 0) break;
      items[i] = above;
      i = parent;
    }
    items[i] = value;
  }

  /** The smallest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the smallest item; undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const child = this.smallerChild(i);
      const below = child === undefined ? undefined : items[child];
      if (child === undefined || below === undefined || this.before(below, last) >= 0) break;
      items[i] = below;
      i = child;
    }
    items[i] = last;
    return top;
  }

  private smallerChild(i: number): number | undefined {
    const left = 2 * i + 1;
    const right = left + 1;
    const a = this.items[left];
    const b = this.items[right];
    if (a === undefined) return undefined;
    return b !== undefined && this.before(b, a) < 0 ? right : left;
  }
}
