import type { Role } from '../catalog/types';

/** Who is making a request, as authentication established it. */
export interface Principal {
  accountId: string;
  accountName: string;
  partyId: string;
  roles: readonly Role[];
  /**
   * Which credential was used, never the secret: `password`, `token:<token id>`,
   * `certificate:<certificate id>`, or a password or token `+certificate:<id>`.
   */
  credential: string;
}
