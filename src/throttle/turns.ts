/**
 * At most `limit` pieces of work running at once; the others wait their turn, first come
 * first served. A finishing piece hands its slot straight to the next waiting one. With
 * `maxWaiting`, work that would wait beyond that many is refused at once (`refuse`).
 */
export class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly limit: number,
    private readonly full?: { maxWaiting: number; refuse: () => Error },
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.full && this.waiting.length >= this.full.maxWaiting) throw this.full.refuse();
      // The finishing piece hands its slot over: `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
