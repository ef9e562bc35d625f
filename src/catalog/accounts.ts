/**
 * Account and token operations shared by the CLI, the demo and (later) the admin API.
 * Generated secrets are returned once to the caller and never stored in clear.
 */
import { randomUUID } from 'node:crypto';
import { roleRefusal } from '../access/decide';
import { DEFAULTS } from '../config/config';
import { generatePassword, generateToken, hashPassword, keyedHash } from '../auth/secrets';
import type { Store } from '../store/store';
import { type AccountRecord, type Role, ROLES, type TokenRecord } from './types';
import type { Clock } from '../time';
import { fail } from '../errors';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export function parseRoles(values: readonly string[]): Role[] {
  const roles = [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()))];
  for (const r of roles) {
    if (!(ROLES as readonly string[]).includes(r)) throw fail('invalid-account', `unknown role "${r}"; roles are ${ROLES.join(', ')}`);
  }
  if (roles.length === 0) throw fail('invalid-account', 'an account needs at least one role');
  return roles as Role[];
}

export interface NewAccount {
  name: string;
  roles: Role[];
  partyId: string;
  /** Absent: a password is generated and returned; null: a token-only account. */
  password?: string | null;
  /** The party whose accounts alone may hold `admin` (config operatorParty; default its default). */
  operatorParty?: string;
}

export async function addAccount(
  store: Store,
  clock: Clock,
  input: NewAccount,
  by: string,
): Promise<{ account: AccountRecord; generatedPassword?: string }> {
  if (!NAME.test(input.name)) throw fail('invalid-account', 'account names are 1–128 letters, digits and . _ @ -, starting with a letter or digit');
  if (await store.getAccountByName(input.name)) throw fail('invalid-account', `an account named "${input.name}" exists already`);
  if (!(await store.getParty(input.partyId))) throw fail('invalid-account', `no party "${input.partyId}"`);
  if (typeof input.password === 'string' && input.password.length < 12) throw fail('invalid-account', 'passwords must have at least 12 characters');
  const refused = roleRefusal(input.roles, input.partyId, input.operatorParty ?? DEFAULTS.operatorParty);
  if (refused) throw fail('invalid-account', refused);
  const password = input.password === undefined ? generatePassword() : input.password;
  const now = clock();
  const account: AccountRecord = {
    id: randomUUID(),
    name: input.name,
    partyId: input.partyId,
    roles: input.roles,
    disabled: false,
    passwordHash: password === null ? null : await hashPassword(password),
    createdAt: now,
    updatedAt: now,
  };
  await store.createAccount(account, {
    at: now,
    by,
    entity: 'account',
    entityId: account.id,
    action: 'create',
    detail: { name: account.name, party: account.partyId, roles: account.roles },
  });
  return input.password === undefined && password !== null ? { account, generatedPassword: password } : { account };
}

export async function issueToken(
  store: Store,
  clock: Clock,
  accountId: string,
  label: string,
  by: string,
): Promise<{ token: string; record: TokenRecord }> {
  const token = generateToken();
  const record: TokenRecord = {
    id: randomUUID(),
    accountId,
    hash: keyedHash(await store.secretKey(), token),
    label,
    createdAt: clock(),
    revokedAt: null,
  };
  await store.createToken(record, {
    at: record.createdAt,
    by,
    entity: 'token',
    entityId: record.id,
    action: 'issue',
    detail: { account: accountId, label },
  });
  return { token, record };
}

export async function revokeToken(store: Store, clock: Clock, tokenId: string, by: string): Promise<boolean> {
  const now = clock();
  return store.revokeToken(tokenId, now, { at: now, by, entity: 'token', entityId: tokenId, action: 'revoke' });
}

export interface AccountChange {
  roles?: Role[];
  disabled?: boolean;
  partyId?: string;
  /** A new password (at least 12 characters), or null to allow tokens only. */
  password?: string | null;
  /** As NewAccount.operatorParty. */
  operatorParty?: string;
  /** Whether a password or token is accepted only with one of the account's client certificates. */
  requireCertificate?: boolean;
}

/** Changes roles, party, status or password; takes effect on the account's next request. */
export async function changeAccount(store: Store, clock: Clock, name: string, change: AccountChange, by: string): Promise<AccountRecord> {
  const account = await requireAccount(store, name);
  if (change.partyId !== undefined && !(await store.getParty(change.partyId))) throw fail('invalid-account', `no party "${change.partyId}"`);
  if (change.roles !== undefined && change.roles.length === 0) throw fail('invalid-account', 'an account needs at least one role');
  if (typeof change.password === 'string' && change.password.length < 12) throw fail('invalid-account', 'passwords must have at least 12 characters');
  const refused = roleRefusal(change.roles ?? account.roles, change.partyId ?? account.partyId, change.operatorParty ?? DEFAULTS.operatorParty);
  if (refused) throw fail('invalid-account', refused);
  const detail: Record<string, unknown> = {};
  if (change.roles !== undefined) detail.roles = change.roles;
  if (change.disabled !== undefined) detail.disabled = change.disabled;
  if (change.partyId !== undefined) detail.party = change.partyId;
  if (change.password !== undefined) detail.password = change.password === null ? 'removed' : 'changed';
  if (change.requireCertificate !== undefined) detail.require_certificate = change.requireCertificate;
  const now = clock();
  const updated = (await store.updateAccount(
    account.id,
    {
      ...(change.roles !== undefined && { roles: change.roles }),
      ...(change.disabled !== undefined && { disabled: change.disabled }),
      ...(change.partyId !== undefined && { partyId: change.partyId }),
      ...(change.password !== undefined && { passwordHash: change.password === null ? null : await hashPassword(change.password) }),
      ...(change.requireCertificate !== undefined && { requireCertificate: change.requireCertificate }),
    },
    now,
    { at: now, by, entity: 'account', entityId: account.id, action: 'update', detail },
  )) as AccountRecord;
  return updated;
}

export function accountResource(a: AccountRecord) {
  return {
    id: a.id,
    name: a.name,
    party: a.partyId,
    roles: a.roles,
    disabled: a.disabled,
    has_password: a.passwordHash !== null,
    ...(a.requireCertificate === true && { require_certificate: true }),
  };
}

export async function requireAccount(store: Store, name: string): Promise<AccountRecord> {
  const account = await store.getAccountByName(name);
  if (!account) throw fail('invalid-account', `no account named "${name}"`);
  return account;
}
