/**
 * The auditor API's summaries for the console (/audit/overview, /flows, /map, /withheld,
 * /integrity): computed from the daily summary tables (src/audit/views.ts), so each answers
 * from a few thousand rows for a month whatever the size of the log. `from`/`to` are days.
 */
import type { Router } from 'express';
import { byCountry, daysBetween, flows, overview, withheldTotals } from '../../audit/views';
import type { AppContext } from '../context';
import { dayRange, params, wrap } from './params';

export function consoleViews(router: Router, ctx: AppContext): void {
  const range = (query: Record<string, string>) => dayRange(query, ctx.clock);

  router.get(
    '/overview',
    wrap(async (req, res) => {
      const r = range(params(req, ['from', 'to']));
      res.json({ ...r, ...overview(await ctx.store.auditDaily(r, ['day', 'action', 'outcome']), daysBetween(r.from, r.to)) });
    }),
  );

  /** Names for the collections a summary mentions (auditors cannot list collections otherwise). */
  const labels = async (ids: Iterable<string>) => {
    const wanted = new Set(ids);
    const out: Record<string, { title: string; alias?: string; country?: string }> = {};
    for (const c of await ctx.store.listCollections()) {
      if (wanted.has(c.id))
        out[c.id] = { title: c.title, ...(c.alias !== undefined && { alias: c.alias }), ...(c.country !== undefined && { country: c.country }) };
    }
    return out;
  };

  router.get(
    '/flows',
    wrap(async (req, res) => {
      const r = range(params(req, ['from', 'to']));
      const f = flows(await ctx.store.auditDaily(r, ['action', 'outcome', 'party', 'collection', 'country']));
      res.json({ ...r, ...f, collections: await labels([...f.pushed, ...f.delivered].map((l) => l.collection)) });
    }),
  );

  router.get(
    '/map',
    wrap(async (req, res) => {
      const r = range(params(req, ['from', 'to']));
      res.json({ ...r, countries: byCountry(await ctx.store.auditDaily(r, ['action', 'outcome', 'country'])) });
    }),
  );

  router.get(
    '/withheld',
    wrap(async (req, res) => {
      const r = range(params(req, ['from', 'to']));
      const withheld = withheldTotals(await ctx.store.auditWithheldDaily(r, ['party', 'collection', 'country', 'reason']));
      res.json({ ...r, withheld, collections: await labels(withheld.map((w) => w.collection)) });
    }),
  );

  router.get(
    '/integrity',
    wrap(async (req, res) => {
      params(req, []);
      const [head, checkpoints, verifications] = await Promise.all([
        ctx.store.auditHead(),
        ctx.store.listCheckpoints(),
        ctx.store.queryAuditEvents({ action: 'audit.verify', newestFirst: true, limit: 1 }),
      ]);
      const last = checkpoints[checkpoints.length - 1];
      const verified = verifications.records[0];
      res.json({
        head,
        checkpoints: checkpoints.length,
        ...(last && { last_checkpoint: { seq: last.seq, hash: last.hash } }),
        ...(verified && {
          last_verification: {
            seq: verified.seq,
            time: verified.time,
            account: verified.account,
            ok: verified.outcome === 'success',
            ...verified.detail,
          },
        }),
      });
    }),
  );
}
