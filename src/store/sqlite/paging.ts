/**
 * Object pages in SQLite: TAXII's version and spec_version selection and the agreement scope
 * as SQL, keyset paging on date_added, and the count of what a scope withheld. The default
 * selection is written exactly as the partial indexes state it, so a page is an index walk.
 */
import type { Micros } from '../../time';
import type { ManifestRecord, ObjectQuery, ObjectScope, ScopeClause, VersionSelector } from '../object-store';
import type { Page } from '../page';
import { admits, admitsEverything, ALL_LEVELS, hiddenOnlyMasks, levelMask, typeGroups, withheldReason, type TypeGroup } from '../scope';
import { placeholders, type Row, type SqliteDatabase } from './database';

/**
 * A page of records: `fetch` runs the page query (`sql`, ordered by date_added, at most
 * `n` rows: one beyond the page, to know whether there is more) and returns its rows.
 */
export function page(
  db: SqliteDatabase,
  columns: string,
  q: ObjectQuery,
  fetch: (sql: string, params: unknown[], n: number) => Row[],
): Page<ManifestRecord> {
  const coll = ridOf(db, q.collectionId);
  if (coll === undefined) return { records: [], more: false };
  const where = selection(q.versions, q.specVersions, q.scope);
  const params: unknown[] = [coll];
  // With ids, the id index finds the few rows (sorted after). Without statistics SQLite
  // would rather walk a whole collection (or a TLP level) in date_added order to skip
  // that sort: a second per request at a million objects. So it is named.
  let conditions = '';
  const after = Math.max(q.addedAfter ?? -Infinity, q.after ?? -Infinity);
  if (after !== -Infinity) {
    conditions += ' AND date_added > ?';
    params.push(after);
  }
  if (q.ids?.length) {
    conditions += ` AND id IN (${placeholders(q.ids)})`;
    params.push(...q.ids);
  }
  if (q.types?.length) {
    conditions += ` AND type IN (${placeholders(q.types)})`;
    params.push(...q.types);
  }
  const from = (index: string) => `SELECT ${columns} FROM objects${index} WHERE coll = ?${conditions}`;
  const sql = from(q.ids?.length ? ' INDEXED BY objects_version' : '');
  const defaultSelection = q.versions.last && !q.versions.first && !q.versions.all && q.versions.at.length === 0 && q.specVersions === undefined;
  const byLevel = q.scope !== undefined && defaultSelection && !q.ids?.length && !admitsEverything(q.scope);
  const n = q.limit + 1;
  const query = byLevel
    ? scopedByLevel(from, params, q.scope as ObjectScope, n)
    : { sql: `${sql}${where.sql} ORDER BY date_added LIMIT ?`, params: [...params, ...where.params, n] };
  const rows = query ? fetch(query.sql, query.params, n) : [];
  const more = rows.length > q.limit;
  if (more) rows.pop();
  const page: Page<ManifestRecord> = { records: rows.map(toManifest), more };
  if (q.scope && !admitsEverything(q.scope)) {
    const upTo = more ? (rows[rows.length - 1]?.date_added as number | undefined) : undefined;
    page.withheld = byLevel ? withheldByLevel(db, sql, params, q.scope, upTo) : withheld(db, sql, params, q, upTo);
  }
  return page;
}

/**
 * A scoped page of the default selection as ordered index walks, each at most a page long,
 * merged by date_added: withholding by TLP then costs nothing per withheld object or version,
 * however many there are. `from(index)` is the page's query up to its conditions.
 */
function scopedByLevel(
  from: (index: string) => string,
  baseParams: unknown[],
  scope: ObjectScope,
  n: number,
): { sql: string; params: unknown[] } | undefined {
  const arms: string[] = [];
  const params: unknown[] = [];
  for (const group of typeGroups(scope)) {
    if (group.in) {
      // Types named one by one (every scope names the marking definitions, which every
      // reader sees at every level): one walk of objects_type per type. On objects_visible
      // the type comes after date_added, so a type rare at a level would be looked for
      // through every row of that level after the cursor: a scan growing with the collection.
      // Rows of the type at levels or behind newer versions the caller may not see are passed
      // over one by one; for the marking definitions there are none.
      for (const type of group.in) {
        arms.push(
          `SELECT * FROM (${from(' INDEXED BY objects_type')} AND type = ? AND latest_spec = 1 AND tlp IN (${placeholders(group.levels)}) AND (newer_levels & ?) = 0 ORDER BY date_added LIMIT ?)`,
        );
        params.push(...baseParams, type, ...group.levels, levelMask(group.levels), n);
      }
      continue;
    }
    // Every type but some: one walk per (visible level, set of newer levels the caller may not
    // see) of objects_visible. Every row such a walk meets is the newest version the caller may
    // see of its object, so no walk reads past a page however many versions are hidden (issue
    // #12 item 6); rows of the excluded types are passed over one by one.
    for (const level of group.levels) {
      for (const newer of hiddenOnlyMasks(group.levels)) {
        const typeParams: unknown[] = [];
        const condition = groupCondition(group, typeParams);
        const types = condition === '1' ? '' : ` AND ${condition}`;
        arms.push(`SELECT * FROM (${from('')} AND tlp = ? AND newer_levels = ? AND latest_spec = 1${types} ORDER BY date_added LIMIT ?)`);
        params.push(...baseParams, level, newer, ...typeParams, n);
      }
    }
  }
  if (arms.length === 0) return undefined;
  return { sql: `${arms.join(' UNION ALL ')} ORDER BY date_added LIMIT ?`, params: [...params, n] };
}

/** The SQL for "the row's type is in the group"; its parameters are appended to `params`. */
function groupCondition(group: TypeGroup, params: unknown[]): string {
  const list = group.in ?? group.notIn;
  if (list === undefined) return '1';
  params.push(...list);
  return `type ${group.in ? 'IN' : 'NOT IN'} (${placeholders(list)})`;
}

/**
 * "last" (`newer_levels`) or "first" (`older_levels`) as the caller sees it: the newest (oldest)
 * version it may see, i.e. one with no newer (older) version at a level its agreements show it
 * for the row's type. (is_last / is_first alone would hide an object whose newest / oldest
 * version is above the caller's ceiling while match[version]=all shows it: issue #12.)
 */
function scopedEdge(column: 'newer_levels' | 'older_levels', scope: ObjectScope, params: unknown[]): string {
  const terms = typeGroups(scope).map((group) => {
    const condition = groupCondition(group, params);
    params.push(levelMask(group.levels));
    return condition === '1' ? `(${column} & ?) = 0` : `(${condition} AND (${column} & ?) = 0)`;
  });
  return terms.length ? `(${terms.join(' OR ')})` : '0';
}

/**
 * withheld() for the default selection: index-only counts per TLP level over the page's
 * range, so counting costs little even when almost everything is withheld. Reasons as
 * withheldReason(): a type no clause admits first, then unmarked or TLP.
 */
function withheldByLevel(
  db: SqliteDatabase,
  baseSql: string,
  baseParams: unknown[],
  scope: ObjectScope,
  upTo: Micros | undefined,
): { count: number; reasons: Record<string, number> } {
  const count = baseSql.replace(/^SELECT .* FROM objects WHERE /, 'SELECT COUNT(*) AS n FROM objects WHERE ');
  const range = upTo === undefined ? '' : ' AND date_added <= ?';
  const out = { count: 0, reasons: {} as Record<string, number> };
  const add = (reason: string, n: number) => {
    if (n === 0) return;
    out.count += n;
    out.reasons[reason] = (out.reasons[reason] ?? 0) + n;
  };
  for (const level of ALL_LEVELS) {
    const anyParams: unknown[] = [];
    const anyType = typeCondition(scope.clauses, anyParams);
    const levelParams: unknown[] = [];
    const levelType = typeCondition(
      scope.clauses.filter((c) => c.tlpLevels.includes(level)),
      levelParams,
    );
    const run = (condition: string, conditionParams: unknown[]) =>
      (
        db
          // newer_levels = 0 is is_last = 1 (migrations.ts): an index-only walk of objects_visible.
          .stmt(`${count} AND tlp = ? AND newer_levels = 0 AND latest_spec = 1${range} AND ${condition}`)
          .get(...baseParams, level, ...(upTo === undefined ? [] : [upTo]), ...conditionParams) as { n: number }
      ).n;
    if (anyType !== '1') add('type', run(`NOT ${anyType}`, anyParams));
    if (levelType !== '1')
      add(
        level === -1 ? 'unmarked' : 'tlp',
        run(anyType === '1' ? `NOT ${levelType}` : `${anyType} AND NOT ${levelType}`, anyType === '1' ? levelParams : [...anyParams, ...levelParams]),
      );
  }
  return out;
}

/** Counts what the scope kept out of the page's range, by reason (for the sharing log). */
function withheld(
  db: SqliteDatabase,
  baseSql: string,
  baseParams: unknown[],
  q: ObjectQuery,
  upTo: Micros | undefined,
): { count: number; reasons: Record<string, number> } {
  const scope = q.scope as ObjectScope;
  const unscoped = selection(q.versions, q.specVersions);
  let sql = baseSql.replace(/^SELECT .* FROM objects/, 'SELECT tlp, type, COUNT(*) AS n FROM objects') + unscoped.sql;
  const params = [...baseParams, ...unscoped.params];
  if (upTo !== undefined) {
    sql += ' AND date_added <= ?';
    params.push(upTo);
  }
  const out = { count: 0, reasons: {} as Record<string, number> };
  for (const g of db.stmt(`${sql} GROUP BY tlp, type`).all(...params) as { tlp: number; type: string; n: number }[]) {
    if (admits(scope, g.type, g.tlp)) continue;
    const reason = withheldReason(scope, g.type, g.tlp);
    out.count += g.n;
    out.reasons[reason] = (out.reasons[reason] ?? 0) + g.n;
  }
  return out;
}

/** The collection's row id, or undefined when there is no such collection. */
export function ridOf(db: SqliteDatabase, collectionId: string): number | undefined {
  const row = db.stmt('SELECT rid FROM collections WHERE id = ?').get(collectionId) as Row | undefined;
  return row?.rid as number | undefined;
}

/**
 * The SQL for "some clause admits the row's type" ('1' when a clause admits every type, '0'
 * when none admits any); its parameters are appended to `params`.
 */
function typeCondition(clauses: readonly ScopeClause[], params: unknown[]): string {
  if (clauses.some((c) => c.allowTypes === undefined && !c.denyTypes?.length)) return '1';
  const alternatives = clauses.map((c) => {
    const terms: string[] = [];
    if (c.allowTypes) {
      terms.push(c.allowTypes.length ? `type IN (${placeholders(c.allowTypes)})` : '0');
      params.push(...c.allowTypes);
    }
    if (c.denyTypes?.length) {
      terms.push(`type NOT IN (${placeholders(c.denyTypes)})`);
      params.push(...c.denyTypes);
    }
    return `(${terms.join(' AND ')})`;
  });
  return alternatives.length ? `(${alternatives.join(' OR ')})` : '0';
}

/**
 * The SQL for TAXII's version and spec_version selection and the caller's agreement scope.
 * The default (`last`, no spec_version) is written exactly as the partial indexes state it,
 * so SQLite walks an index.
 */
export function selection(versions: VersionSelector, specVersions: string[] | undefined, scope?: ObjectScope): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  if (scope) {
    const clauses = scope.clauses
      .filter((c) => c.tlpLevels.length > 0)
      .map((c) => {
        params.push(...c.tlpLevels);
        const clause = `tlp IN (${placeholders(c.tlpLevels)})`;
        const types = typeCondition([c], params);
        return types === '1' ? `(${clause})` : `(${clause} AND ${types})`;
      });
    sql += clauses.length ? ` AND (${clauses.join(' OR ')})` : ' AND 0';
  }
  if (!versions.all) {
    const terms: string[] = [];
    const scoped = scope !== undefined && !admitsEverything(scope);
    if (versions.last) terms.push(scoped ? scopedEdge('newer_levels', scope, params) : 'is_last = 1');
    if (versions.first) terms.push(scoped ? scopedEdge('older_levels', scope, params) : 'is_first = 1');
    if (versions.at.length) {
      terms.push(`version IN (${placeholders(versions.at)})`);
      params.push(...versions.at);
    }
    sql += terms.length === 1 ? ` AND ${terms[0]}` : ` AND (${terms.join(' OR ')})`;
  }
  if (specVersions === undefined) sql += ' AND latest_spec = 1';
  else {
    sql += ` AND spec_version IN (${placeholders(specVersions)})`;
    params.push(...specVersions);
  }
  return { sql, params };
}

export function toManifest(r: Row): ManifestRecord {
  return {
    id: r.id as string,
    type: r.type as string,
    specVersion: r.spec_version as string,
    version: r.version as number,
    ...(typeof r.version_text === 'string' && { versionText: r.version_text }),
    dateAdded: r.date_added as number,
    tlp: r.tlp as number,
  };
}
