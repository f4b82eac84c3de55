// An array-backed FIFO whose shift() is O(1): the consumed front is dropped in bulk now and then, so a deep
// pipeline of pending exchanges does not turn each emission into a copy of the whole queue.

export class FifoQueue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The i-th item from the front (0 = oldest). */
  at(i: number): T {
    return this.items[this.head + i] as T;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 32 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes the newest item. */
  pop(): T | undefined {
    return this.length > 0 ? (this.items.pop() as T) : undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
