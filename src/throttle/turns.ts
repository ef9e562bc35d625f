/**
 * At most `limit` units of work running at once; the others wait their turn, first come
 * first served. A piece weighs one unit unless it says otherwise (a page read weighs the
 * objects it may hold). A finishing piece hands its units straight to the next waiting ones.
 * With `maxWaiting`, work that would wait beyond that many is refused at once (`refuse`).
 */
export class Turns {
  private running = 0;
  private readonly waiting: { weight: number; resolve: () => void }[] = [];

  constructor(
    readonly limit: number,
    private readonly full?: { maxWaiting: number; refuse: () => Error },
  ) {}

  async run<T>(work: () => Promise<T>, weight = 1): Promise<T> {
    // A piece heavier than the whole limit runs alone rather than never.
    const w = Math.min(Math.max(weight, 0), this.limit);
    if (this.waiting.length > 0 || this.running + w > this.limit) {
      if (this.full && this.waiting.length >= this.full.maxWaiting) throw this.full.refuse();
      // admit() counts it as running before it resumes.
      await new Promise<void>((resolve) => this.waiting.push({ weight: w, resolve }));
    } else this.running += w;
    try {
      return await work();
    } finally {
      this.running -= w;
      this.admit();
    }
  }

  private admit(): void {
    for (let next = this.waiting[0]; next && this.running + next.weight <= this.limit; next = this.waiting[0]) {
      this.waiting.shift();
      this.running += next.weight;
      next.resolve();
    }
  }
}
