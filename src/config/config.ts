/**
 * Configuration: defaults < config file (JSON) < environment variables < command-line
 * flags. Validated once at start-up against schemas/config/config.json; a bad value stops
 * the server with a message naming the setting and where it came from. Frozen afterwards.
 *
 * Over 300 lines on purpose: every setting, its default and its ACCORD_* variable in one place answers "what can be set".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { packageRoot } from '../paths';
import { fail } from '../errors';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  store: string;
  /**
   * SQLite commits of content and catalogue (with their sharing-log events): `full` syncs each
   * to disk before it is acknowledged, `normal` lets a power loss roll back the last ones.
   * Reads' log events are always synced (docs/operations.md, "Durability").
   */
  sqliteSynchronous: 'full' | 'normal';
  publicUrl?: string;
  /** HTTPS: key and certificate; `ca`: the CA whose client certificates may be named by subject and issuer. */
  tls?: { key: string; cert: string; ca?: string };
  /** Lowest TLS version accepted. */
  tlsMinVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are all AEAD with forward secrecy). */
  tlsCiphers: string;
  /** Strict-Transport-Security max-age under TLS, seconds (0: no header). */
  hstsSeconds: number;
  pageCap: number;
  /**
   * Full pages (pageCap objects) of objects or manifests one process holds at once, from the
   * query to handing the response to the socket; more wait their turn (0: no bound). Bounds
   * the pages held in memory, at a price in pages a second (docs/operations.md, "Memory under
   * load"). A page asked with a smaller limit counts for its share (limit=100 of 1,000: a
   * tenth); an object by id or a version list for one object.
   */
  pageReadConcurrency: number;
  logLevel: LogLevel;
  maxContentLength: number;
  maxObjectSize: number;
  discovery: { title: string; description?: string; contact?: string; default?: string };
  authCacheSeconds: number;
  trustProxy: boolean;
  /** Server processes for `accord serve`: a count, or `auto` (one per available core). */
  workers: number | 'auto';
  /** Console sign-ins end after this long without a request… */
  consoleIdleMinutes: number;
  /** …and this long after sign-in, whatever happens. */
  consoleSessionHours: number;
  /** How the command line names its operator in the sharing log (default `cli:<OS user>`). */
  operator?: string;
  /** Failed sign-ins allowed per client address and per account name (token buckets; burst 0: no limit). */
  signInLimit: { addressBurst: number; addressPerMinute: number; accountBurst: number; accountPerMinute: number };
  /** Password checks (scrypt) running at once; more wait their turn. */
  passwordCheckConcurrency: number;
  /** Requests per account (token bucket; burst 0: no limit). */
  rateLimit: { perSecond: number; burst: number };
  /** Refusals of unauthenticated requests from one address are logged once per this many seconds, with a count. */
  auditAggregateSeconds: number;
  /** Most objects in one envelope (more: 413). */
  maxObjectsPerEnvelope: number;
  /** Slow clients: time to send the headers, the whole request, idle keep-alive; slowest body. */
  timeouts: { headersMs: number; requestMs: number; idleMs: number; minBodyBytesPerSecond: number };
  /** Open connections in total and from one client address. */
  connections: { max: number; perAddress: number };
  /** Response compression (gzip, brotli) when the client asks for it (src/http/compression.ts). */
  compression: { enabled: boolean; threshold: number; gzipLevel: number; brotliQuality: number };
  /** The party whose accounts alone may hold the admin role (docs/agreements.md). */
  operatorParty: string;
  /** Upstream feeds (docs/feeds.md). */
  feeds: FeedSettings;
}

export interface FeedSettings {
  /** Whether this server polls feeds on their schedule (one process at a time holds a feed's lease). */
  enabled: boolean;
  /** A file with the 32-byte key that seals upstream credentials; absent: derived from the store's secret key. */
  keyFile?: string;
  /** How often the scheduler looks for feeds that are due. */
  checkSeconds: number;
  /** `limit` asked of the upstream per page. */
  pageSize: number;
  timeoutSeconds: number;
  /** Largest upstream response read (after decompression). */
  maxResponseBytes: number;
  /** Pages one run fetches at most; the next run continues. */
  maxPagesPerRun: number;
  /** Ceiling of the exponential backoff after failed runs. */
  maxBackoffSeconds: number;
}

/** Forward-secret AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305). */
export const AEAD_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  store: 'accord.db',
  pageCap: 1000,
  // Three full pages: 16 readers of 1,000-object pages of a 1M-object store peaked at
  // 262-264 MB (312-341 unbounded, 224-264 with two) at 171-191 pages a second (174-217
  // unbounded, 164-194 with two): each read holds its page while its sharing-log event is
  // synced, so fewer slots leave the request thread idle (npm run bench:memory).
  pageReadConcurrency: 3,
  logLevel: 'info',
  maxContentLength: 10 * 1024 * 1024,
  maxObjectSize: 4 * 1024 * 1024,
  discovery: { title: 'Accord TAXII server', description: 'International exchange of cyber-threat intelligence under data-sharing agreements' },
  authCacheSeconds: 300,
  trustProxy: false,
  workers: 1,
  consoleIdleMinutes: 30,
  consoleSessionHours: 12,
  feeds: {
    enabled: true,
    checkSeconds: 15,
    pageSize: 1000,
    timeoutSeconds: 60,
    maxResponseBytes: 64 * 1024 * 1024,
    maxPagesPerRun: 100,
    maxBackoffSeconds: 3600,
  },
  tlsMinVersion: 'TLSv1.2',
  sqliteSynchronous: 'full',
  tlsCiphers: AEAD_CIPHERS,
  hstsSeconds: 31_536_000,
  signInLimit: { addressBurst: 20, addressPerMinute: 10, accountBurst: 10, accountPerMinute: 5 },
  passwordCheckConcurrency: 2,
  rateLimit: { perSecond: 100, burst: 200 },
  auditAggregateSeconds: 60,
  maxObjectsPerEnvelope: 10_000,
  timeouts: { headersMs: 10_000, requestMs: 120_000, idleMs: 5_000, minBodyBytesPerSecond: 1024 },
  connections: { max: 1024, perAddress: 64 },
  // Measured on a 1,000-object page (970 KB): gzip level 4 leaves 15% of the bytes for 6.5 ms
  // of CPU (level 6: 13% for 18 ms); brotli quality 5 leaves 13% for 14.5 ms. Below ~1 KB a
  // coding saves less than it costs.
  compression: { enabled: true, threshold: 1024, gzipLevel: 4, brotliQuality: 5 },
  operatorParty: 'operator',
};

type Source = Record<string, unknown>;

/** Environment variable → setting path; numbers and booleans are converted. */
const ENV: Record<string, { path: string[]; kind: 'string' | 'int' | 'bool' | 'int-or-auto' }> = {
  ACCORD_HOST: { path: ['host'], kind: 'string' },
  ACCORD_PORT: { path: ['port'], kind: 'int' },
  ACCORD_DB: { path: ['store'], kind: 'string' },
  ACCORD_STORE_URI: { path: ['store'], kind: 'string' },
  ACCORD_PUBLIC_URL: { path: ['publicUrl'], kind: 'string' },
  ACCORD_TLS_KEY: { path: ['tls', 'key'], kind: 'string' },
  ACCORD_TLS_CERT: { path: ['tls', 'cert'], kind: 'string' },
  ACCORD_PAGE_CAP: { path: ['pageCap'], kind: 'int' },
  ACCORD_PAGE_READ_CONCURRENCY: { path: ['pageReadConcurrency'], kind: 'int' },
  ACCORD_LOG_LEVEL: { path: ['logLevel'], kind: 'string' },
  ACCORD_MAX_CONTENT_LENGTH: { path: ['maxContentLength'], kind: 'int' },
  ACCORD_MAX_OBJECT_SIZE: { path: ['maxObjectSize'], kind: 'int' },
  ACCORD_TITLE: { path: ['discovery', 'title'], kind: 'string' },
  ACCORD_AUTH_CACHE_SECONDS: { path: ['authCacheSeconds'], kind: 'int' },
  ACCORD_TRUST_PROXY: { path: ['trustProxy'], kind: 'bool' },
  ACCORD_WORKERS: { path: ['workers'], kind: 'int-or-auto' },
  ACCORD_CONSOLE_IDLE_MINUTES: { path: ['consoleIdleMinutes'], kind: 'int' },
  ACCORD_CONSOLE_SESSION_HOURS: { path: ['consoleSessionHours'], kind: 'int' },
  ACCORD_FEEDS: { path: ['feeds', 'enabled'], kind: 'bool' },
  ACCORD_FEED_KEY_FILE: { path: ['feeds', 'keyFile'], kind: 'string' },
  ACCORD_FEED_CHECK_SECONDS: { path: ['feeds', 'checkSeconds'], kind: 'int' },
  ACCORD_FEED_PAGE_SIZE: { path: ['feeds', 'pageSize'], kind: 'int' },
  ACCORD_FEED_TIMEOUT_SECONDS: { path: ['feeds', 'timeoutSeconds'], kind: 'int' },
  ACCORD_FEED_MAX_RESPONSE_BYTES: { path: ['feeds', 'maxResponseBytes'], kind: 'int' },
  ACCORD_FEED_MAX_PAGES: { path: ['feeds', 'maxPagesPerRun'], kind: 'int' },
  ACCORD_FEED_MAX_BACKOFF_SECONDS: { path: ['feeds', 'maxBackoffSeconds'], kind: 'int' },
  ACCORD_OPERATOR: { path: ['operator'], kind: 'string' },
  ACCORD_TLS_CA: { path: ['tls', 'ca'], kind: 'string' },
  ACCORD_TLS_MIN_VERSION: { path: ['tlsMinVersion'], kind: 'string' },
  ACCORD_SQLITE_SYNCHRONOUS: { path: ['sqliteSynchronous'], kind: 'string' },
  ACCORD_TLS_CIPHERS: { path: ['tlsCiphers'], kind: 'string' },
  ACCORD_HSTS_SECONDS: { path: ['hstsSeconds'], kind: 'int' },
  ACCORD_SIGNIN_ADDRESS_BURST: { path: ['signInLimit', 'addressBurst'], kind: 'int' },
  ACCORD_SIGNIN_ADDRESS_PER_MINUTE: { path: ['signInLimit', 'addressPerMinute'], kind: 'int' },
  ACCORD_SIGNIN_ACCOUNT_BURST: { path: ['signInLimit', 'accountBurst'], kind: 'int' },
  ACCORD_SIGNIN_ACCOUNT_PER_MINUTE: { path: ['signInLimit', 'accountPerMinute'], kind: 'int' },
  ACCORD_PASSWORD_CHECK_CONCURRENCY: { path: ['passwordCheckConcurrency'], kind: 'int' },
  ACCORD_RATE_LIMIT_PER_SECOND: { path: ['rateLimit', 'perSecond'], kind: 'int' },
  ACCORD_RATE_LIMIT_BURST: { path: ['rateLimit', 'burst'], kind: 'int' },
  ACCORD_AUDIT_AGGREGATE_SECONDS: { path: ['auditAggregateSeconds'], kind: 'int' },
  ACCORD_MAX_OBJECTS_PER_ENVELOPE: { path: ['maxObjectsPerEnvelope'], kind: 'int' },
  ACCORD_HEADERS_TIMEOUT_MS: { path: ['timeouts', 'headersMs'], kind: 'int' },
  ACCORD_REQUEST_TIMEOUT_MS: { path: ['timeouts', 'requestMs'], kind: 'int' },
  ACCORD_IDLE_TIMEOUT_MS: { path: ['timeouts', 'idleMs'], kind: 'int' },
  ACCORD_MIN_BODY_BYTES_PER_SECOND: { path: ['timeouts', 'minBodyBytesPerSecond'], kind: 'int' },
  ACCORD_MAX_CONNECTIONS: { path: ['connections', 'max'], kind: 'int' },
  ACCORD_MAX_CONNECTIONS_PER_ADDRESS: { path: ['connections', 'perAddress'], kind: 'int' },
  ACCORD_COMPRESSION: { path: ['compression', 'enabled'], kind: 'bool' },
  ACCORD_COMPRESSION_THRESHOLD: { path: ['compression', 'threshold'], kind: 'int' },
  ACCORD_OPERATOR_PARTY: { path: ['operatorParty'], kind: 'string' },
};

function set(target: Source, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Source;
  }
  node[path[path.length - 1] as string] = value;
}

const isPlainObject = (v: unknown): v is Source => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `over` on top of `base`, as new objects all the way down: the result is frozen later, and
 * must not share (and so freeze) DEFAULTS' or the caller's objects.
 */
function merge(base: Source, over: Source): Source {
  const out: Source = {};
  for (const [k, v] of Object.entries(base)) out[k] = isPlainObject(v) ? merge(v, {}) : v;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(v) ? merge(isPlainObject(b) ? b : {}, v) : v;
  }
  return out;
}

/** Whether `source` sets the setting at `path` (or something inside it). */
function sets(source: Source, path: readonly string[]): boolean {
  let node: unknown = source;
  for (const key of path) {
    if (!isPlainObject(node) || node[key] === undefined) return false;
    node = node[key];
  }
  return true;
}

interface Sources {
  file?: string;
  fromFile: Source;
  env: NodeJS.ProcessEnv;
  overrides: Source;
}

/** Where the value at `path` came from, in the precedence order loadConfig applies. */
function origin(path: readonly string[], sources: Sources): string {
  if (sets(sources.overrides, path)) return ' (from the command line)';
  const dotted = path.join('.');
  const vars = Object.entries(ENV).filter(([name, spec]) => {
    const specPath = spec.path.join('.');
    const related = specPath === dotted || specPath.startsWith(`${dotted}.`) || dotted.startsWith(`${specPath}.`);
    return related && sources.env[name] !== undefined && sources.env[name] !== '';
  });
  // Variables are named without their values: a store URI may carry a password.
  if (vars.length > 0) return ` (from ${vars.map(([name]) => name).join(', ')})`;
  if (sources.file && sets(sources.fromFile, path)) return ` (in config file ${sources.file})`;
  return '';
}

function fromEnv(env: NodeJS.ProcessEnv): Source {
  const out: Source = {};
  for (const [name, spec] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (spec.kind === 'int') {
      if (!/^\d{1,9}$/.test(raw)) throw fail('invalid-configuration', `${name}=${raw}: must be a whole number`);
      value = Number(raw);
    } else if (spec.kind === 'int-or-auto') {
      if (!/^(\d{1,9}|auto)$/.test(raw)) throw fail('invalid-configuration', `${name}=${raw}: must be a whole number or auto`);
      value = raw === 'auto' ? raw : Number(raw);
    } else if (spec.kind === 'bool') {
      if (!['true', 'false', '1', '0'].includes(raw)) throw fail('invalid-configuration', `${name}=${raw}: must be true or false`);
      value = raw === 'true' || raw === '1';
    }
    set(out, spec.path, value);
  }
  return out;
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

function validate(config: Source, sources: Sources): Config {
  validator ??= new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(join(packageRoot(), 'schemas/config/config.json'), 'utf8')),
  );
  if (!validator(config)) {
    const problems = (validator.errors ?? []).map((e) => {
      const path = e.instancePath ? e.instancePath.slice(1).split('/') : [];
      const where = path.length ? path.join('.') : '(top level)';
      if (e.keyword === 'additionalProperties') {
        const key = String(e.params.additionalProperty);
        return `unknown setting "${key}"${origin([...path, key], sources)}`;
      }
      return `"${where}" ${e.message ?? 'is invalid'}${origin(path, sources)}`;
    });
    throw fail('invalid-configuration', `invalid configuration: ${problems.join('; ')}`);
  }
  return config as unknown as Config;
}

export interface LoadOptions {
  /** Config file path; ACCORD_CONFIG when absent. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags: the highest precedence. */
  overrides?: Partial<Config>;
}

export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.ACCORD_CONFIG;
  let fromFile: Source = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw fail('invalid-configuration', `cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text) as Source;
    } catch (e) {
      throw fail('invalid-configuration', `config file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
      throw fail('invalid-configuration', `config file ${file} must hold a JSON object`);
  }
  const overrides = (options.overrides ?? {}) as Source;
  const merged = merge(merge(merge(DEFAULTS as unknown as Source, fromFile), fromEnv(env)), overrides);
  return deepFreeze(validate(merged, { ...(file && { file }), fromFile, env, overrides }));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
