/** Administrators manage parties: the organisations that sign agreements and own accounts. */
import { createHarness, type Harness } from '../support/harness';
import { admin, expectError, expectReply } from './support';

const frPolice = { id: 'fr-police', name: 'Police nationale, cyber unit', kind: 'national-agency', country: 'FR' };

describe('Admin API: parties', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('an administrator lists the parties', async () => {
    const body = expectReply<{ parties: unknown[] }>(await admin(h, 'get', '/admin/parties'), 200, 'get', '/admin/parties');
    expect(body.parties).toEqual([{ id: 'operator', name: 'Operator', kind: 'operator' }]);
  });

  it('an administrator adds a party (201) and reads it back', async () => {
    expect(expectReply(await admin(h, 'post', '/admin/parties', frPolice), 201, 'post', '/admin/parties')).toEqual(frPolice);
    expect(expectReply(await admin(h, 'get', '/admin/parties/fr-police'), 200, 'get', '/admin/parties/fr-police')).toEqual(frPolice);
    expect(await h.store.getParty('fr-police')).toEqual({ id: 'fr-police', name: frPolice.name, kind: 'national-agency', country: 'FR' });
  });

  it('adding a party whose id is taken is 409 and leaves the party as it was', async () => {
    expect(expectError(await admin(h, 'post', '/admin/parties', { ...frPolice, name: 'Impostor' }), 409)).toMatch(/"fr-police" exists already/);
    expect((await h.store.getParty('fr-police'))?.name).toBe(frPolice.name);
  });

  it.each([
    [{ id: 'de-bka', name: 'BKA', kind: 'national-agency' }, /national agency needs its "country"/],
    [{ id: 'Bad Id', name: 'x', kind: 'vendor' }, /\/id must match pattern/],
    [{ id: 'acme', name: 'Acme', kind: 'vendor', website: 'acme.example' }, /unknown property "website"/],
    [{ id: 'acme', name: 'Acme', kind: 'bank' }, /\/kind must be equal to one of the allowed values/],
  ])('an invalid party is 400 with the reason (%j)', async (party, reason) => {
    expect(expectError(await admin(h, 'post', '/admin/parties', party), 400)).toMatch(reason);
    expect(await h.store.getParty(party.id)).toBeUndefined();
  });

  it('an administrator replaces a party with PUT', async () => {
    const renamed = { ...frPolice, name: 'Office anti-cybercriminalité', identity_ref: 'identity--8a2d6c1e-2b8f-4c3a-9e5d-0f1a2b3c4d5e' };
    expect(expectReply(await admin(h, 'put', '/admin/parties/fr-police', renamed), 200, 'put', '/admin/parties/fr-police')).toEqual(renamed);
    expect((await h.store.getParty('fr-police'))?.name).toBe('Office anti-cybercriminalité');
  });

  it('PUT with another id in the body is 400 and changes nothing', async () => {
    const before = await h.store.getParty('fr-police');
    expect(expectError(await admin(h, 'put', '/admin/parties/fr-police', { ...frPolice, id: 'de-bka', country: 'DE' }), 400)).toMatch(/differs/);
    expect(await h.store.getParty('fr-police')).toEqual(before);
    expect(await h.store.getParty('de-bka')).toBeUndefined();
  });

  it('PUT of an invalid party is 400', async () => {
    expectError(await admin(h, 'put', '/admin/parties/fr-police', { ...frPolice, country: 'France' }), 400);
  });

  it('an unknown party is 404 to GET and to PUT (PUT does not create)', async () => {
    expectError(await admin(h, 'get', '/admin/parties/nobody'), 404);
    expectError(await admin(h, 'put', '/admin/parties/nobody', { id: 'nobody', name: 'Nobody', kind: 'other' }), 404);
    expect(await h.store.getParty('nobody')).toBeUndefined();
  });
});
