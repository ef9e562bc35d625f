/**
 * Upstream feeds in SQLite (src/store/feeds.ts): one row per feed, its definition and its
 * state as JSON, and the run lease as two columns so taking it is one conditional UPDATE.
 * Definition changes commit with their change event (SqliteCatalog.changing).
 */
import type { ChangeRecord } from '../../catalog/types';
import type { FeedRecord, FeedRow, FeedState, FeedStore } from '../feeds';
import type { SqliteCatalog } from './catalog';
import type { Micros } from '../../time';
import type { SqliteDatabase } from './database';

type Row = { body: string; state: string };
/** SqliteCatalog.changing: the write and its change event in one transaction. */
type Changing = SqliteCatalog['changing'];

const toRow = (r: Row): FeedRow => ({ feed: JSON.parse(r.body) as FeedRecord, state: JSON.parse(r.state) as FeedState });
const changed = (r: { changes: number }) => r.changes === 1;

export class SqliteFeeds implements FeedStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly changing: Changing,
  ) {}

  async createFeed(row: FeedRow, change: ChangeRecord): Promise<boolean> {
    return changed(
      this.changing(
        change,
        () =>
          this.db
            .stmt('INSERT OR IGNORE INTO feeds (name, body, state) VALUES (?, ?, ?)')
            .run(row.feed.name, JSON.stringify(row.feed), JSON.stringify(row.state)),
        changed,
      ),
    );
  }

  async getFeed(name: string): Promise<FeedRow | undefined> {
    const r = this.db.stmt('SELECT body, state FROM feeds WHERE name = ?').get(name) as Row | undefined;
    return r && toRow(r);
  }

  async listFeeds(): Promise<FeedRow[]> {
    return (this.db.stmt('SELECT body, state FROM feeds ORDER BY name').all() as Row[]).map(toRow);
  }

  async setFeedPaused(name: string, paused: boolean, change: ChangeRecord): Promise<boolean> {
    return changed(
      this.changing(
        change,
        () => this.db.stmt("UPDATE feeds SET body = json_set(body, '$.paused', json(?)) WHERE name = ?").run(paused ? 'true' : 'false', name),
        changed,
      ),
    );
  }

  async removeFeed(name: string, change: ChangeRecord): Promise<boolean> {
    return changed(this.changing(change, () => this.db.stmt('DELETE FROM feeds WHERE name = ?').run(name), changed));
  }

  async saveFeedState(name: string, state: FeedState): Promise<void> {
    this.db.stmt('UPDATE feeds SET state = ? WHERE name = ?').run(JSON.stringify(state), name);
  }

  async leaseFeed(name: string, owner: string, now: Micros, until: Micros): Promise<boolean> {
    return changed(
      this.db
        .stmt('UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE name = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until <= ?)')
        .run(owner, until, name, owner, now),
    );
  }

  async releaseFeed(name: string, owner: string): Promise<void> {
    this.db.stmt('UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE name = ? AND lease_owner = ?').run(name, owner);
  }
}
