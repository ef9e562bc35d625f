import type { Role } from '../catalog/types';

/** Who is making a request, as authentication established it. */
export interface Principal {
  accountId: string;
  accountName: string;
  partyId: string;
  roles: readonly Role[];
  /** Which credential was used: `password`, or `token:<token id>` (never the secret). */
  credential: string;
}
