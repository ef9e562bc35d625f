/**
 * The web console in a real browser (Debian's Chromium through playwright-core), against the
 * demo server: each demo role signs in and sees its views and no others (the APIs answer
 * 403 to what it may not do); an auditor follows flows to events, opens an object's custody,
 * exports and verifies, and sees a tampered log reported broken; an administrator changes an
 * agreement and the change is in the event list. Screenshots of each view go to docs/console/.
 * Without a Chromium the suite is skipped, with a test whose name says why.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { verifyExport } from '../../src/audit/export';
import { buildConsole, chromiumPath, launch, pageFetch, removeDemo, screenshot, signIn, startDemo, taxii, type Demo } from './console-support';

const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';

function indicator(tlp: string): Record<string, unknown> {
  const t = new Date().toISOString();
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: t,
    modified: t,
    name: 'C2 address',
    pattern: "[ipv4-addr:value = '198.51.100.7']",
    pattern_type: 'stix',
    valid_from: t,
    object_marking_refs: [tlp],
  };
}

const path = chromiumPath();

if (path === undefined) {
  const reason = 'no Chromium found (set CHROMIUM_PATH, or install Debian’s chromium: .ci/run does)';
  console.warn(`Console browser tests — SKIPPED: ${reason}.`);
  describe.skip(`web console in a real browser — SKIPPED: ${reason}`, () => {
    it('sign-in per role, views, flows, custody, export, tampered log', () => undefined);
  });
} else {
  describe('web console in a real browser (Chromium)', () => {
    let demo: Demo;
    let browser: Browser;
    let pushedToFrance: string;

    beforeAll(async () => {
      buildConsole();
      demo = await startDemo();
      browser = await launch();
      // Traffic for the auditor to look at: a vendor pushes, police services read, one is refused.
      const fr = [indicator(GREEN), indicator(AMBER)];
      pushedToFrance = String(fr[0]?.id);
      expect((await taxii(demo, 'acme-feed', '/exchange/collections/fr/objects/', { objects: fr })).status).toBe(202);
      expect(
        (await taxii(demo, 'acme-feed', '/exchange/collections/br/objects/', { objects: [indicator(GREEN), indicator(AMBER), indicator(AMBER)] }))
          .status,
      ).toBe(202);
      expect(
        (await taxii(demo, 'acme-feed', '/exchange/collections/global/objects/', { objects: [indicator(GREEN), indicator(AMBER)] })).status,
      ).toBe(202);
      expect((await taxii(demo, 'fr-siem', '/exchange/collections/fr/objects/')).status).toBe(200);
      expect((await taxii(demo, 'fr-siem', '/exchange/collections/global/objects/')).status).toBe(200);
      expect((await taxii(demo, 'br-siem', '/exchange/collections/br/objects/')).status).toBe(200);
      expect((await taxii(demo, 'br-siem', '/exchange/collections/global/objects/')).status).toBe(200);
      expect((await taxii(demo, 'gcc-analyst', '/exchange/collections/br/objects/')).status).toBe(200);
      expect((await taxii(demo, 'de-siem', '/exchange/collections/global/objects/')).status).toBe(404);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      if (demo) removeDemo(demo.dir);
    });

    const nav = async (page: Page) => (await page.locator('nav a').allTextContents()).sort();

    it('auditor: sharing-log views only; the admin API answers 403; overview shows events, objects and log integrity', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      expect(await nav(page)).toEqual(['Custody', 'Events', 'Export', 'Flows', 'Map', 'Overview', 'Withheld']);
      expect(await pageFetch(page, 'GET', '/admin/agreements')).toBe(403);
      expect(await pageFetch(page, 'GET', '/me/access')).toBe(200);
      await page.locator('.integrity').waitFor();
      expect(await page.locator('#main .chart svg').count()).toBe(2);
      expect(await page.locator('text=access.denied').count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.locator('.verify-ok').waitFor();
      expect(await page.locator('.verify-ok').textContent()).toMatch(/^Log intact: \d+ events verified/);
      await screenshot(page, 'overview');
      await context.close();
    });

    it('auditor: flows party → collection → party, and a figure clicks through to its events', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/flows`);
      await page.locator('.chart svg').waitFor();
      const pushed = page.locator('table').first();
      expect(await pushed.textContent()).toContain('acme');
      await screenshot(page, 'flows');
      // The pushed row into France: its count opens the events behind it.
      const row = pushed.locator('tr', { hasText: 'acme' }).filter({ hasText: '(FR)' });
      await row.getByRole('link').click();
      await page.locator('#events').waitFor();
      const actions = await page.locator('#events tbody td:nth-child(3)').allTextContents();
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set(['objects.add']));
      expect(new Set(await page.locator('#events tbody td:nth-child(6)').allTextContents())).toEqual(new Set(['acme']));
      await context.close();
    });

    it('auditor: the map shows objects pushed and delivered per country', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/map`);
      await page.locator('.chart svg path').first().waitFor();
      const rows = await page.locator('table tbody tr').allTextContents();
      expect(rows.some((r) => r.startsWith('FR'))).toBe(true);
      expect(rows.some((r) => r.startsWith('BR'))).toBe(true);
      await screenshot(page, 'map');
      await context.close();
    });

    it('auditor: events with filters, keyboard selection, and an event’s hash and place in the chain', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/events?outcome=denied`);
      await page.locator('#events').waitFor();
      expect(new Set(await page.locator('#events tbody td:nth-child(4)').allTextContents())).toEqual(new Set(['denied']));
      await page.locator('#events tbody tr').first().focus();
      await page.keyboard.press('Enter');
      await page.locator('#event-detail').waitFor();
      expect(await page.locator('#event-detail .event-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
      expect(await page.locator('#event-detail').textContent()).toMatch(/Place in chainevent \d+ of \d+/);
      await screenshot(page, 'events');
      await context.close();
    });

    it('auditor: an object’s custody — who submitted it and who received it, under which agreements', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/custody?object=${pushedToFrance}`);
      await page.locator('#custody').waitFor();
      const text = await page.locator('#custody').textContent();
      expect(text).toMatch(/submitted by acme-feed \(acme\)/);
      expect(text).toMatch(/received by fr-siem \(fr-police\)/);
      expect(text).toMatch(/fr-national@1/);
      await screenshot(page, 'custody');
      await context.close();
    });

    it('auditor: withheld objects, from whom and why', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/withheld`);
      // Brazil's police read up to TLP:GREEN: the TLP:AMBER indicators were withheld from them.
      const row = page.locator('table tbody tr', { hasText: 'tlp: TLP above' }).first();
      await row.waitFor();
      expect(await row.textContent()).toMatch(/^br-pf/);
      await screenshot(page, 'withheld');
      await context.close();
    });

    it('auditor: exports the current filter as NDJSON and CSV, and both verify offline', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.goto(`${demo.url}/console/#/events?action=objects`);
      await page.locator('#events').waitFor();
      await page.getByRole('link', { name: 'Export these events' }).click();
      await page.locator('#export-ndjson').waitFor();
      await screenshot(page, 'export');
      for (const id of ['#export-ndjson', '#export-csv']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
        const text = readFileSync(await download.path(), 'utf8');
        expect(verifyExport(text)).toMatchObject({ ok: true });
        expect(text).toContain('objects.add');
      }
      await context.close();
    });

    it('administrator: administration views only; revises an agreement to end soon (flagged), compares versions, suspends; the auditor finds the change', async () => {
      const { context, page } = await signIn(browser, demo, 'admin');
      expect(await nav(page)).toEqual(['Accounts', 'Agreements', 'Collections', 'Parties']);
      expect(await pageFetch(page, 'GET', '/audit/events')).toBe(403);
      await page.goto(`${demo.url}/console/#/agreements?id=br-national`);
      const editor = page.locator('#agreement-json');
      await editor.waitFor();
      const body = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
      body.valid_until = new Date(Date.now() + 20 * 86_400_000).toISOString();
      await editor.fill(JSON.stringify(body, null, 2));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#versions th', { hasText: 'valid_until (changed)' }).waitFor();
      expect(await page.locator('#versions thead').textContent()).toContain('Version 2');
      // issue #12 item 10: the agreement's rate term is shown, and kept by the revision.
      expect(await page.locator('#rate').textContent()).toBe(
        'Request rate: each grantee party at most 600 requests a minute, bursts of 100, all its accounts together.',
      );
      await screenshot(page, 'agreement-versions');
      await page.goto(`${demo.url}/console/#/agreements`);
      const row = page.locator('tr', { hasText: 'br-national' });
      await row.waitFor();
      expect(await row.textContent()).toMatch(/ends in (19|20) days/);
      expect(await page.locator('.notice.warn').textContent()).toContain('br-national');
      await screenshot(page, 'agreements');
      await page.goto(`${demo.url}/console/#/agreements?id=de-national`);
      await page.getByRole('button', { name: 'Suspend' }).click();
      await page.locator('h2 .badge.suspended').waitFor();
      await context.close();

      const auditor = await signIn(browser, demo, 'auditor');
      await auditor.page.goto(`${demo.url}/console/#/events?action=catalog.agreement`);
      await auditor.page.locator('#events').waitFor();
      const actions = await auditor.page.locator('#events tbody td:nth-child(3)').allTextContents();
      expect(actions).toEqual(expect.arrayContaining(['catalog.agreement.revise', 'catalog.agreement.suspended']));
      await auditor.context.close();
    });

    it('administrator: issues a token shown once, and disables an account (its sign-in then fails)', async () => {
      const { context, page } = await signIn(browser, demo, 'admin');
      await page.goto(`${demo.url}/console/#/accounts?name=gcc-analyst`);
      await page.getByLabel('Label').fill('siem connector');
      await page.getByRole('button', { name: 'Issue a token' }).click();
      const token = await page.locator('#new-token').textContent();
      expect(token).toMatch(/^accord_/);
      await screenshot(page, 'accounts');
      // The new token works for TAXII, and is not shown again.
      const res = await fetch(`${demo.url}/exchange/collections/`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/taxii+json;version=2.1' },
      });
      expect(res.status).toBe(200);
      await page.reload();
      await page.locator('#tokens').waitFor();
      expect(await page.locator('#new-token').count()).toBe(0);
      await page.locator('tr', { hasText: 'de-siem' }).getByRole('button', { name: 'Disable' }).click();
      await page.locator('tr', { hasText: 'de-siem' }).getByRole('button', { name: 'Enable' }).waitFor();
      await page.goto(`${demo.url}/console/#/collections`);
      await page.locator('table').waitFor();
      await screenshot(page, 'collections');
      await context.close();
      const failed = await fetch(`${demo.url}/console/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'de-siem', password: demo.password('de-siem') }),
      });
      expect(failed.status).toBe(401);
    });

    it('reader: My access only (what, where, up to which TLP, until when); the audit and admin APIs answer 403', async () => {
      const { context, page } = await signIn(browser, demo, 'br-siem', { width: 820, height: 1180 });
      expect(await nav(page)).toEqual(['My access']);
      expect(await pageFetch(page, 'GET', '/audit/events')).toBe(403);
      expect(await pageFetch(page, 'GET', '/admin/accounts')).toBe(403);
      expect(await pageFetch(page, 'POST', '/admin/agreements/br-national/revoke')).toBe(403);
      const card = page.locator('section.access', { hasText: 'br-national' });
      await card.waitFor();
      const text = await card.textContent();
      expect(text).toContain('TLP:GREEN');
      expect(text).toMatch(/BR\)/);
      expect(text).toMatch(/ends in (19|20) days/);
      expect(text).toContain('Request rateat most 600 requests a minute, bursts of 100, all your organisation’s accounts together');
      await screenshot(page, 'my-access-tablet');
      await context.close();
    });

    it('writer: My access lists its latest submissions with their statuses', async () => {
      const { context, page } = await signIn(browser, demo, 'acme-feed');
      await page.locator('table').waitFor();
      const rows = await page.locator('table tbody tr').allTextContents();
      expect(rows.length).toBe(3);
      expect(rows.every((r) => r.includes('complete'))).toBe(true);
      await screenshot(page, 'my-access-writer');
      await context.close();
    });

    it('signs out: the session no longer works', async () => {
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await pageFetch(page, 'GET', '/audit/events')).toBe(401);
      await context.close();
    });

    it('auditor: a tampered log is reported broken, at the tampered event', async () => {
      // Someone with access to the database file edits an event after the fact.
      await demo.close();
      const db = new Database(join(demo.dir, 'accord.db'));
      const victim = db
        .prepare(
          "SELECT seq, body FROM audit_events WHERE json_extract(body, '$.action') = 'objects.add' AND json_extract(body, '$.party') = 'acme' ORDER BY seq LIMIT 1",
        )
        .get() as { seq: number; body: string };
      db.prepare('UPDATE audit_events SET body = ? WHERE seq = ?').run(victim.body.replace('"acme"', '"gcc"'), victim.seq);
      db.close();
      demo = { ...demo, ...(await startDemo(demo.dir)) };
      const { context, page } = await signIn(browser, demo, 'auditor');
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.locator('.verify-broken').waitFor();
      expect(await page.locator('.verify-broken').textContent()).toBe(`Log BROKEN at event ${victim.seq}`);
      await screenshot(page, 'tampered');
      await context.close();
    });
  });
}
