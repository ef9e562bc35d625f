/**
 * src/config/config.ts: defaults < config file < environment < command-line overrides,
 * validated against schemas/config/config.json, frozen. A bad value must name the setting and
 * where it came from, so an operator can fix it without reading code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccordError } from '../../src/errors';
import { DEFAULTS, loadConfig, type Config, type LoadOptions } from '../../src/config/config';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accord-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCount}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(options: LoadOptions): string {
  try {
    loadConfig(options);
  } catch (e) {
    if (e instanceof AccordError && e.code === 'invalid-configuration') return e.message;
    throw e;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('without a file, environment or flags gives exactly the defaults', () => {
    expect(loadConfig({ env: {} })).toEqual(DEFAULTS);
  });

  it('a file overrides the defaults; settings it does not name keep their defaults, nested ones too', () => {
    const file = configFile({ port: 9000, pageCap: 50, discovery: { title: 'From file', contact: 'soc@example.org' } });
    const c = loadConfig({ file, env: {} });
    expect(c).toEqual({ ...DEFAULTS, port: 9000, pageCap: 50, discovery: { ...DEFAULTS.discovery, title: 'From file', contact: 'soc@example.org' } });
  });

  it('the environment overrides the file, and flags override the environment', () => {
    const file = configFile({ port: 9000, host: '0.0.0.0', logLevel: 'debug', discovery: { title: 'From file' } });
    const env = { ACCORD_PORT: '9100', ACCORD_LOG_LEVEL: 'warn', ACCORD_TITLE: 'From env', ACCORD_TRUST_PROXY: '1' };
    const c = loadConfig({ file, env, overrides: { port: 9200 } });
    expect([c.port, c.host, c.logLevel, c.discovery.title, c.trustProxy]).toEqual([9200, '0.0.0.0', 'warn', 'From env', true]);
    expect(c.discovery.description).toBe(DEFAULTS.discovery.description);
  });

  it('ACCORD_CONFIG names the file when no file is given', () => {
    const file = configFile({ port: 9300 });
    expect(loadConfig({ env: { ACCORD_CONFIG: file } }).port).toBe(9300);
  });

  it('converts every kind of environment variable', () => {
    const c = loadConfig({
      env: {
        ACCORD_HOST: '::1',
        ACCORD_PORT: '0',
        ACCORD_DB: '/var/lib/accord/accord.db',
        ACCORD_PUBLIC_URL: 'https://taxii.example.org/base/',
        ACCORD_TLS_KEY: '/etc/accord/key.pem',
        ACCORD_TLS_CERT: '/etc/accord/cert.pem',
        ACCORD_PAGE_CAP: '250',
        ACCORD_MAX_CONTENT_LENGTH: '2048',
        ACCORD_AUTH_CACHE_SECONDS: '0',
        ACCORD_TRUST_PROXY: 'false',
        ACCORD_WORKERS: '4',
      },
    });
    expect(c).toMatchObject({
      host: '::1',
      port: 0,
      store: '/var/lib/accord/accord.db',
      publicUrl: 'https://taxii.example.org/base/',
      tls: { key: '/etc/accord/key.pem', cert: '/etc/accord/cert.pem' },
      pageCap: 250,
      maxContentLength: 2048,
      authCacheSeconds: 0,
      trustProxy: false,
      workers: 4,
    });
    expect(loadConfig({ env: { ACCORD_WORKERS: 'auto' } }).workers).toBe('auto');
  });

  it('an empty environment variable counts as unset', () => {
    expect(loadConfig({ env: { ACCORD_PORT: '', ACCORD_HOST: '' } }).port).toBe(DEFAULTS.port);
  });

  it.each([
    ['ACCORD_PORT', 'abc'],
    ['ACCORD_PORT', '-1'],
    ['ACCORD_PORT', '80.5'],
    ['ACCORD_PAGE_CAP', '1e3'],
    ['ACCORD_TRUST_PROXY', 'yes'],
    ['ACCORD_TRUST_PROXY', 'TRUE'],
    ['ACCORD_WORKERS', 'all'],
    ['ACCORD_WORKERS', '-2'],
  ])('%s=%s is refused with a message naming the variable', (name, value) => {
    expect(configError({ env: { [name]: value } })).toContain(`${name}=${value}`);
  });

  it.each([
    ['ACCORD_PORT', '70000', 'port'],
    ['ACCORD_PAGE_CAP', '0', 'pageCap'],
    ['ACCORD_LOG_LEVEL', 'loud', 'logLevel'],
    ['ACCORD_PUBLIC_URL', 'http://taxii.example.org/', 'publicUrl'],
    ['ACCORD_MAX_CONTENT_LENGTH', '10', 'maxContentLength'],
    ['ACCORD_WORKERS', '0', 'workers'],
  ])('%s=%s, out of range for the schema, names the setting and the variable', (name, value, setting) => {
    const message = configError({ env: { [name]: value } });
    expect(message).toContain(`"${setting}"`);
    expect(message).toContain(name);
  });

  it('a bad value in the file names the setting and the file', () => {
    const file = configFile({ port: 'eighty' });
    const message = configError({ file, env: {} });
    expect(message).toContain('"port"');
    expect(message).toContain(file);
  });

  it('"workers" in the file is a positive whole number or "auto"', () => {
    expect(loadConfig({ file: configFile({ workers: 3 }), env: {} }).workers).toBe(3);
    expect(loadConfig({ file: configFile({ workers: 'auto' }), env: {} }).workers).toBe('auto');
    for (const workers of [0, 1.5, 'many', true]) expect(configError({ file: configFile({ workers }), env: {} })).toContain('"workers"');
  });

  it('compression: on by default; the file sets levels, the environment switches it and sets the threshold', () => {
    expect(loadConfig({ env: {} }).compression).toEqual({ enabled: true, threshold: 1024, gzipLevel: 4, brotliQuality: 5 });
    const c = loadConfig({
      file: configFile({ compression: { gzipLevel: 9 } }),
      env: { ACCORD_COMPRESSION: 'false', ACCORD_COMPRESSION_THRESHOLD: '4096' },
    }).compression;
    expect(c).toEqual({ enabled: false, threshold: 4096, gzipLevel: 9, brotliQuality: 5 });
    expect(configError({ file: configFile({ compression: { gzipLevel: 12 } }), env: {} })).toContain('"compression.gzipLevel"');
    expect(configError({ env: { ACCORD_COMPRESSION: 'maybe' } })).toContain('ACCORD_COMPRESSION');
  });

  it('a bad override names the setting and the command line', () => {
    expect(configError({ env: {}, overrides: { pageCap: 0 } })).toMatch(/"pageCap".*command line/);
  });

  it('unknown keys in the file are refused with their names, at any depth', () => {
    expect(configError({ file: configFile({ prot: 8080 }), env: {} })).toContain('unknown setting "prot"');
    expect(configError({ file: configFile({ discovery: { title: 'x', titel: 'y' } }), env: {} })).toContain('unknown setting "titel"');
    expect(configError({ file: configFile({ tls: { key: 'k', cert: 'c', cafile: 'x' } }), env: {} })).toContain('unknown setting "cafile"');
  });

  it.each([
    ['http://taxii.example.org/'],
    ['https://'],
    ['https://taxii.example.org/a b'],
    ['https://taxii.example.org/?q=1'],
    ['taxii.example.org'],
  ])('publicUrl %j is refused (HTTPS URL without query or fragment only)', (publicUrl) => {
    expect(configError({ file: configFile({ publicUrl }), env: {} })).toContain('"publicUrl"');
  });

  it('accepts an HTTPS publicUrl with and without a path', () => {
    expect(loadConfig({ env: {}, overrides: { publicUrl: 'https://taxii.example.org' } }).publicUrl).toBe('https://taxii.example.org');
    expect(loadConfig({ env: {}, overrides: { publicUrl: 'https://taxii.example.org:8443/accord/' } }).publicUrl).toBe(
      'https://taxii.example.org:8443/accord/',
    );
  });

  it('half a TLS setting is refused', () => {
    expect(configError({ env: { ACCORD_TLS_KEY: '/etc/accord/key.pem' } })).toMatch(/"tls"/);
  });

  it('an unreadable, non-JSON or non-object file is refused naming the file', () => {
    const missing = join(dir, 'missing.json');
    expect(configError({ file: missing, env: {} })).toBe(`cannot read config file ${missing}: ENOENT`);
    const broken = configFile('{"port": 80,');
    expect(configError({ file: broken, env: {} })).toContain(`config file ${broken} is not valid JSON`);
    const list = configFile([1, 2]);
    expect(configError({ file: list, env: {} })).toBe(`config file ${list} must hold a JSON object`);
  });

  it('the result is deeply frozen', () => {
    const c = loadConfig({ env: {}, overrides: { tls: { key: 'k', cert: 'c' } } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.discovery)).toBe(true);
    expect(Object.isFrozen(c.tls)).toBe(true);
    expect(() => {
      (c as Config).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c.discovery as Config['discovery']).title = 'changed';
    }).toThrow(TypeError);
  });

  it('freezes only its own result: neither DEFAULTS nor the caller’s objects', () => {
    const tls = { key: 'k', cert: 'c' };
    const discovery = { title: 'Mine' };
    loadConfig({ env: {}, overrides: { tls, discovery } });
    expect([Object.isFrozen(DEFAULTS), Object.isFrozen(DEFAULTS.discovery), Object.isFrozen(tls), Object.isFrozen(discovery)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
