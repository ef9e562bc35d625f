/**
 * `npm start` (accord demo) listens where ACCORD_PORT says, as `accord serve` does, so a
 * busy 8080 is not a dead end; --port still wins over the variable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAccord } from '../support/cli';

jest.setTimeout(60_000);

/** A port that was free a moment ago (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('accord demo: the port', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-demo-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function runningUrl(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const demo = startAccord(['demo', '--dir', dir, ...args], { env });
    try {
      return await demo.until(() => /Accord demo is running: (\S+)\/taxii2\//.exec(demo.stdout())?.[1]);
    } finally {
      demo.signal('SIGTERM');
      await demo.ended;
    }
  }

  it('listens on ACCORD_PORT when no --port is given', async () => {
    const port = await freePort();
    expect(await runningUrl([], { ACCORD_PORT: String(port) })).toBe(`http://127.0.0.1:${port}`);
  });

  it('--port wins over ACCORD_PORT', async () => {
    const port = await freePort();
    expect(await runningUrl(['--port', String(port)], { ACCORD_PORT: '1' })).toBe(`http://127.0.0.1:${port}`);
  });
});
