/**
 * Chain of custody (docs/audit.md, "Custody") when reads are indexed by their page's
 * date_added span rather than per object: every kind of read that returned a version is
 * found, a read whose span covered the object without returning it is not, and reads stay
 * in the custody of a version after it was deleted.
 */
import request from 'supertest';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, del, get, manifestUrl, malware, objectsUrl, objectUrl, qs, versionsUrl } from '../http/wire';

interface CustodyBody {
  versions: { version: string; submitted: { action: string }[]; received: { action: string; account: string }[]; deleted: { action: string }[] }[];
}

describe('sharing log: custody of objects read in pages (range-indexed reads)', () => {
  let h: Harness;
  const target = indicator(7);
  const id = String(target.id);
  beforeAll(async () => {
    h = await createHarness();
    const c = h.collections.alpha;
    // The target sits between two malware objects, so a malware-only page spans its date_added.
    await add(h, c, [malware(1)]);
    await add(h, c, [target]);
    await add(h, c, [malware(2), target]); // re-sent: "already stored"

    const reader = h.accounts.reader.auth;
    await get(h, `${objectsUrl(c)}${qs({ limit: 10 })}`, reader);
    await get(h, `${manifestUrl(c)}${qs({ 'match[type]': 'indicator' })}`, reader);
    await get(h, objectUrl(c, id), reader);
    await get(h, versionsUrl(c, id), reader);
    await get(h, `${objectsUrl(c)}${qs({ 'match[type]': 'malware' })}`, h.accounts.editor.auth);
    expect((await del(h, objectUrl(c, id))).status).toBe(200);
    await h.ctx.audit.flush();
  });
  afterAll(() => h.close());

  const custody = async () => {
    const res = await request(h.app).get(`/audit/objects/${id}/custody`).set('Authorization', h.accounts.auditor.auth);
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as CustodyBody;
  };

  it('finds every read that returned the version: page, manifest, object by id and versions (TAXII 2.1 §5.3, §5.4, §5.6, §5.8)', async () => {
    const [v] = (await custody()).versions;
    expect(v?.received.map((r) => [r.action, r.account])).toEqual([
      ['objects.read', 'reader'],
      ['manifest.read', 'reader'],
      ['object.read', 'reader'],
      ['versions.read', 'reader'],
    ]);
  });

  it('does not list a read whose page spanned the object but did not return it (match[type] filter)', async () => {
    const [v] = (await custody()).versions;
    expect(v?.received.map((r) => r.account)).not.toContain('admin');
  });

  it('keeps the reads of a version after the version was deleted, with the submission and the deletion', async () => {
    const versions = (await custody()).versions;
    expect(versions).toHaveLength(1);
    // The first submission placed it; the re-send ("already stored") is a submission too.
    expect(versions[0]?.submitted.map((s) => s.action)).toEqual(['objects.add', 'objects.add']);
    expect(versions[0]?.deleted.map((d) => d.action)).toEqual(['object.delete']);
    expect(versions[0]?.received).toHaveLength(4);
  });

  it('the event query by object finds the same reads (GET /audit/events?object=)', async () => {
    const res = await request(h.app)
      .get(`/audit/events${qs({ object: id, action: 'objects.read' })}`)
      .set('Authorization', h.accounts.auditor.auth);
    const events = (JSON.parse(res.text) as { events: { account: string; date_added_range?: unknown }[] }).events;
    expect(events.map((e) => e.account)).toEqual(['reader']);
    expect(events[0]?.date_added_range).toEqual({ first: expect.any(String), last: expect.any(String) });
  });
});
