/**
 * `node dist/bench/baseline-server.js node|express PORT RESPONSE_FILE`: the ceiling a poll
 * scenario is compared with. Answers every GET with the bytes, content type and TAXII headers
 * Accord returned for a representative request of that scenario (RESPONSE_FILE, written by
 * the bench), so the only difference left is the work Accord does per request.
 *   node:    a bare node:http server; every request gets the response.
 *   express: a one-route Express app on the scenario's route pattern, with the settings
 *            Accord's app uses (no ETag, no X-Powered-By).
 * Prints "listening on http://127.0.0.1:PORT" when ready (PORT 0: any free port); stateless, so
 * SIGTERM's default (exit at once) is the right shutdown.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface RecordedResponse {
  /** Express route pattern of the scenario, e.g. /:root/collections/:collection/objects/ */
  route: string;
  headers: Record<string, string>;
  body_base64: string;
}

const [kind, port, file] = process.argv.slice(2);
if ((kind !== 'node' && kind !== 'express') || port === undefined || file === undefined) {
  process.stderr.write('usage: baseline-server node|express PORT RESPONSE_FILE\n');
  process.exit(2);
}
const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedResponse;
const body = Buffer.from(recorded.body_base64, 'base64');

// setHeader + end(body), as Accord's sendTaxii does: same framing (Content-Length, no chunking).
function reply(res: http.ServerResponse): void {
  for (const [name, value] of Object.entries(recorded.headers)) res.setHeader(name, value);
  res.end(body);
}

let server: http.Server;
if (kind === 'node') {
  server = http.createServer((_req, res) => reply(res));
} else {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get(recorded.route, (_req, res) => reply(res));
  server = http.createServer(app);
}
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
