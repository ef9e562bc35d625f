/**
 * Agreements as decide() needs them (grants by party), reloaded from the store only when
 * its agreements revision changes. Reading the revision is one indexed row per request,
 * so an agreement activated, suspended or revoked by any process applies to the next request.
 */
import type { Store } from '../store/store';
import type { GrantBinding } from './decide';

export class AgreementCache {
  private revision = -1;
  private byParty = new Map<string, GrantBinding[]>();

  constructor(private readonly store: Store) {}

  async bindingsFor(partyId: string): Promise<GrantBinding[]> {
    const revision = await this.store.agreementsRevision();
    if (revision !== this.revision) {
      const byParty = new Map<string, GrantBinding[]>();
      for (const agreement of await this.store.listAgreements()) {
        for (const grant of agreement.grants) {
          const list = byParty.get(grant.party) ?? [];
          list.push({ agreement, grant });
          byParty.set(grant.party, list);
        }
      }
      this.byParty = byParty;
      this.revision = revision;
    }
    return this.byParty.get(partyId) ?? [];
  }
}
