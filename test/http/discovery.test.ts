import request from 'supertest';
import { assertTaxiiResource } from '../support/taxii-schemas';
import { createHarness, TAXII, type Harness } from '../support/harness';

describe('TAXII 2.1 §4.1 Server Discovery', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§4.1.1 lists every API root as a relative URL when no public HTTPS URL is configured', async () => {
    const res = await request(h.app).get('/taxii2/').set('Accept', TAXII).set('Authorization', h.accounts.reader.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(TAXII);
    const body = JSON.parse(res.text);
    assertTaxiiResource('discovery', body);
    expect(body.api_roots).toEqual(['/api1/', '/api2/']);
    expect(body.default).toBe('/api1/');
  });

  it('§4.1.1 lists absolute HTTPS URLs under the configured public URL', async () => {
    const pub = await createHarness({ config: { publicUrl: 'https://taxii.example.org/base/', discovery: { title: 'Hub', default: 'api2' } } });
    try {
      const res = await request(pub.app).get('/taxii2').set('Authorization', pub.accounts.reader.auth);
      const body = JSON.parse(res.text);
      expect(body.api_roots).toEqual(['https://taxii.example.org/base/api1/', 'https://taxii.example.org/base/api2/']);
      expect(body.default).toBe('https://taxii.example.org/base/api2/');
      expect(body.title).toBe('Hub');
    } finally {
      await pub.close();
    }
  });

  it('§4.1 answers 401 with WWW-Authenticate and a TAXII error without credentials', async () => {
    const res = await request(h.app).get('/taxii2/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/Basic realm="Accord"/);
    expect(res.headers['content-type']).toBe(TAXII);
    assertTaxiiResource('error', JSON.parse(res.text));
  });
});

describe('TAXII 2.1 §4.2 API Root Information', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ maxContentLength: 5000 });
  });
  afterAll(() => h.close());

  it('§4.2.1 reports title, versions and max_content_length', async () => {
    const res = await request(h.app).get('/api1/').set('Authorization', h.accounts.reader.auth);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    assertTaxiiResource('api-root', body);
    expect(body).toEqual({ title: 'API root one', description: 'first', versions: [TAXII], max_content_length: 5000 });
  });

  it('§4.2 answers 404 for an unknown API root, with or without the trailing slash', async () => {
    for (const path of ['/nope/', '/nope']) {
      const res = await request(h.app).get(path).set('Authorization', h.accounts.reader.auth);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe(TAXII);
    }
  });
});
