import { permissive, rulesOf } from './helpers';

const traffic = {
  type: 'network-traffic',
  spec_version: '2.1',
  id: 'network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d',
  src_ref: 'ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53',
  protocols: ['tcp'],
  start: '2025-03-01T10:00:00Z',
  end: '2025-03-01T10:05:00Z',
};

describe('STIX 2.1 §6.12 Network Traffic Object: time order', () => {
  it('§6.12 accepts "end" later than "start"', () => {
    expect(rulesOf(permissive.validate(traffic))).toEqual([]);
  });

  it('§6.12 rejects "end" earlier than "start"', () => {
    expect(rulesOf(permissive.validate({ ...traffic, end: '2025-03-01T09:59:59Z' }))).toEqual(['end: time-order']);
  });
});

describe('STIX 2.1 §6.14 Software Object: languages', () => {
  const software = { type: 'software', spec_version: '2.1', id: 'software--a1827f6d-ca53-5605-9e93-4316cd22a00a', name: 'Word' };

  it('§6.14 accepts RFC 5646 tags in "languages"', () => {
    expect(rulesOf(permissive.validate({ ...software, languages: ['en', 'pt-BR', 'zh-Hant'] }))).toEqual([]);
  });

  it('§6.14 names the element of "languages" that is not a language tag', () => {
    expect(rulesOf(permissive.validate({ ...software, languages: ['en', 'english!'] }))).toEqual(['languages[1]: lang']);
  });
});

describe('STIX 2.1 §9 STIX Patterning in indicators', () => {
  it('§9 reports the pattern error position once', () => {
    const result = permissive.validate({
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2025-01-01T00:00:00.000Z',
      modified: '2025-01-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '1.2.3.4'",
      pattern_type: 'stix',
      valid_from: '2025-01-01T00:00:00Z',
    });
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : (result.issues[0]?.message ?? '');
    expect(message).toMatch(/position \d+/);
    expect(message.match(/position/g)).toHaveLength(1);
  });
});
