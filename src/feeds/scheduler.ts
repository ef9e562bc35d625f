/**
 * Runs due feeds inside a server process. Every process may run a scheduler (each
 * `--workers` worker, each server sharing a MongoDB database): the lease in the store lets
 * one of them run a given feed at a time, and a process that dies mid-run loses its lease
 * when it expires. Runs are sequential within a process, so a slow upstream delays the
 * others rather than multiplying the load.
 */
import type { Logger } from 'pino';
import { runFeed, type FeedRunner } from './runner';

export class FeedScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private closed = false;

  private readonly runner: FeedRunner;

  constructor(
    runner: FeedRunner,
    private readonly log: Logger,
  ) {
    this.runner = { ...runner, stopping: () => this.closed };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.runner.settings.checkSeconds * 1000);
    this.timer.unref();
    void this.tick();
  }

  /** Runs every feed that is due and not paused; a tick already under way is not doubled. */
  tick(): Promise<void> {
    this.current ??= this.runDue().finally(() => (this.current = undefined));
    return this.current;
  }

  private async runDue(): Promise<void> {
    try {
      for (const { feed, state } of await this.runner.store.feeds().listFeeds()) {
        if (this.closed) return;
        if (feed.paused || state.nextRunAt > this.runner.clock()) continue;
        const result = await runFeed(this.runner, feed.name);
        if (result.ran) {
          const { outcome, stored, duplicates, failed, error } = result.summary;
          this.log.info({ feed: feed.name, outcome, stored, duplicates, failed, ...(error !== undefined && { reason: error }) }, 'feed run');
        }
      }
    } catch (err) {
      this.log.error({ err }, 'feed scheduler failed; it tries again at the next check');
    }
  }

  /** Stops scheduling and waits for a run under way (its page in flight is bounded by the timeout). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.current;
  }
}
