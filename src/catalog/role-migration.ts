/**
 * Before roles and content rights were separated, `admin` also read, added and deleted
 * content, and any party's account could hold it. At start-up every account of another
 * party than the operator loses `admin` and is given the content roles its own recorded
 * use of that role needs (from the sharing log: deleted → deleter, added → writer, read →
 * reader); an account left with no role is disabled rather than widened. Runs on every
 * start and on both stores through the Store interface; idempotent, each change on the record.
 */
import type { Store } from '../store/store';
import type { AccountRecord, Role } from './types';
import type { Clock } from '../time';

const USES: readonly { action: string; role: Role }[] = [
  { action: 'object.delete', role: 'deleter' },
  { action: 'objects.add', role: 'writer' },
  { action: 'objects.read', role: 'reader' },
  { action: 'object.read', role: 'reader' },
  { action: 'manifest.read', role: 'reader' },
  { action: 'versions.read', role: 'reader' },
];

async function usedRoles(store: Store, account: AccountRecord): Promise<Role[]> {
  const roles = new Set<Role>();
  for (const { action, role } of USES) {
    if (roles.has(role)) continue;
    const page = await store.queryAuditEvents({ account: account.name, action, outcome: 'success', limit: 1 });
    if (page.records.length > 0) roles.add(role);
  }
  // A writer reads; a deleter reads too: reader is implied by either.
  if (roles.has('writer') || roles.has('deleter')) roles.delete('reader');
  return [...roles];
}

/** Returns the names of the accounts changed. */
export async function demoteForeignAdmins(store: Store, clock: Clock, operatorParty: string): Promise<string[]> {
  const changed: string[] = [];
  for (const account of await store.listAccounts()) {
    if (!account.roles.includes('admin') || account.partyId === operatorParty) continue;
    const kept = account.roles.filter((r) => r !== 'admin');
    const roles = [...new Set([...kept, ...(await usedRoles(store, account))])];
    const disabled = roles.length === 0 || account.disabled;
    const now = clock();
    // An account needs a role; one that used none keeps the least (reader) and is disabled.
    await store.updateAccount(account.id, { roles: roles.length ? roles : ['reader'], disabled }, now, {
      at: now,
      by: 'migration',
      entity: 'account',
      entityId: account.id,
      action: 'update',
      detail: {
        roles: roles.length ? roles : ['reader'],
        ...(disabled !== account.disabled && { disabled }),
        reason: `admin is reserved to the operator party "${operatorParty}"`,
      },
    });
    changed.push(account.name);
  }
  return changed;
}
