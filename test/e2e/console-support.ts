/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core (no
 * browser download), a demo server in this process on a random port (the demo's parties,
 * agreements and accounts, in a fresh folder), its credentials, and screenshots for docs/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runDemo } from '../../src/cli/demo';
import type { RunningServer } from '../../src/server';

// What pageFetch's function, run inside the page, reads of the browser's globals.
declare const document: { cookie: string };

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'docs', 'console');

/** Where a Chromium is: CHROMIUM_PATH, or Debian's package (.ci/run installs it when missing). */
export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => p !== undefined && p !== '' && existsSync(p),
  );
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath() as string,
    headless: true,
    // No sandbox (CI runs as root); nothing that reaches out to the network on its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The console built from the current sources (dist/console/), as the server serves it. */
export function buildConsole(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface Demo {
  server: RunningServer;
  dir: string;
  url: string;
  password(name: string): string;
  token(name: string): string;
  close(): Promise<void>;
}

/** The demo server (as `npm start` runs it) in a fresh folder; `dir` reuses one. */
export async function startDemo(dir = mkdtempSync(join(tmpdir(), 'accord-console-'))): Promise<Demo> {
  const write = process.stdout.write.bind(process.stdout);
  // The demo prints its credentials for a person; the test reads them from the file instead.
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let server: RunningServer;
  try {
    server = await runDemo(dir, 0);
  } finally {
    process.stdout.write = write;
  }
  const credentials = readFileSync(join(dir, 'credentials.txt'), 'utf8');
  const field = (name: string, key: string) => new RegExp(`^${name}\\s+${key}=(\\S+)`, 'm').exec(credentials)?.[1] ?? '';
  return {
    server,
    dir,
    url: server.url,
    password: (name) => field(name, 'password'),
    token: (name) => field(name, 'token'),
    close: () => server.close(),
  };
}

export function removeDemo(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A TAXII request with HTTP Basic, as a SIEM or feed would make it. */
export async function taxii(demo: Demo, account: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${demo.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${account}:${demo.password(account)}`).toString('base64')}`,
      Accept: 'application/taxii+json;version=2.1',
      ...(body !== undefined && { 'Content-Type': 'application/taxii+json;version=2.1' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A browser context signed in to the console as `account` (through the sign-in form). */
export async function signIn(
  browser: Browser,
  demo: Demo,
  account: string,
  viewport = { width: 1440, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${demo.url}/console/`);
  await page.getByLabel('Account name').fill(account);
  await page.getByLabel('Password', { exact: true }).fill(demo.password(account));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** fetch() from inside the page, with the page's session cookie and CSRF token: what the console's script could do. */
export async function pageFetch(page: Page, method: string, path: string): Promise<number> {
  return page.evaluate(
    async ([m, p]) => {
      const csrf = /accord_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      return (
        await fetch(p as string, { method: m as string, headers: { 'X-CSRF-Token': csrf, 'X-Accord-Console': '1', Accept: 'application/json' } })
      ).status;
    },
    [method, path],
  );
}
