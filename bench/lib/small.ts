/**
 * Small resources: discovery, API root, collections list, one collection and one status, at
 * 16 connections, each against a bare node:http server and a one-route Express app replaying
 * the bytes Accord answered. Read as the partner caller, who sees one collection of the
 * catalogue's many (bench/lib/setup.ts): the collections list must not cost per collection
 * in the catalogue.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedResponse } from '../baseline-server';
import { Client, taxiiHeaders } from './http';
import { load, warmUp } from './load';
import { startBaseline, type ServerProcess } from './processes';
import type { Entry } from './report';
import type { RssSampler } from './rss';
import { API_ROOT, COLLECTION, COLLECTION_PATH } from './setup';

interface Small {
  endpoint: string;
  route: string;
  path: string;
  token: string;
}

export interface SmallRun {
  server: ServerProcess;
  sampler: RssSampler;
  dir: string;
  seconds: number;
  warmupSeconds: number;
  objectsInStore: number;
  settle: () => Promise<void>;
}

/** `partner` sees one collection; `writer` made the status `statusId`. */
export async function smallResources(run: SmallRun, tokens: { partner: string; writer: string }, statusId: string): Promise<Entry[]> {
  const resources: Small[] = [
    { endpoint: 'GET discovery', route: '/taxii2/', path: '/taxii2/', token: tokens.partner },
    { endpoint: 'GET API root', route: '/:root/', path: `/${API_ROOT}/`, token: tokens.partner },
    { endpoint: 'GET collections', route: '/:root/collections/', path: `/${API_ROOT}/collections/`, token: tokens.partner },
    { endpoint: 'GET collection', route: '/:root/collections/:collection/', path: `${COLLECTION_PATH}/`, token: tokens.partner },
    { endpoint: 'GET status', route: '/:root/status/:statusId/', path: `/${API_ROOT}/status/${statusId}/`, token: tokens.writer },
  ];
  const entries: Entry[] = [];
  for (const [k, r] of resources.entries()) {
    const client = new Client(run.server.origin, r.token);
    const reply = await client.get(r.path);
    client.close();
    if (r.endpoint === 'GET collections' && !reply.body.toString().includes(COLLECTION))
      throw new Error('the partner does not see the bench collection');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      if (typeof value === 'string' && !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name))
        headers[name] = value;
    }
    const file = join(run.dir, `small-${k}.json`);
    writeFileSync(file, JSON.stringify({ route: r.route, headers, body_base64: reply.body.toString('base64') } satisfies RecordedResponse));
    const options = (origin: string) => ({ origin, headers: taxiiHeaders(r.token), path: () => r.path, connections: 16, seconds: run.seconds });
    const [node, express] = await Promise.all([startBaseline('node', file), startBaseline('express', file)]);
    try {
      for (const origin of [run.server.origin, node.origin, express.origin]) await warmUp(options(origin), run.warmupSeconds);
      await run.settle();
      run.sampler.start();
      const accord = await load(options(run.server.origin));
      const memory = run.sampler.stop();
      await run.settle();
      const nodeFigures = await load(options(node.origin));
      const expressFigures = await load(options(express.origin));
      entries.push({
        scenario: 'small',
        endpoint: r.endpoint,
        limit: null,
        connections: 16,
        workers: 1,
        objects_in_store: run.objectsInStore,
        duration_s: run.seconds,
        memory,
        ...accord,
        node: nodeFigures,
        express: expressFigures,
        ratio_to_node: Math.round((accord.rps / nodeFigures.rps) * 1000) / 1000,
        ratio_to_express: Math.round((accord.rps / expressFigures.rps) * 1000) / 1000,
      });
    } finally {
      await Promise.all([node.stop(), express.stop()]);
    }
  }
  return entries;
}
