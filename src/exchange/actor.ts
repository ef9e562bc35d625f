/**
 * Who makes an exchange, and what the door it came through adds to its event. Every door
 * (TAXII over HTTP, the command line, feeds, the console) names an actor: an account and its
 * party, or the local operator, who runs `accord` on the server with the database's own
 * authority and belongs to no party.
 */
import { userInfo } from 'node:os';
import type { AuditEventInput } from '../audit/events';
import type { ObjectScope } from '../store/object-store';
import type { Role } from '../catalog/types';

export interface Actor {
  accountId: string;
  accountName: string;
  /** Absent for the local operator. */
  partyId?: string;
  roles: readonly Role[];
  /** Which credential was used (`password`, `token:<id>`); never a secret. */
  credential?: string;
}

/**
 * The local operator as named in the log: the configured name, else `cli:<OS user>`, so an
 * auditor can tell which person on the server ran a command.
 */
export function localOperator(configured?: string): Actor {
  const name = configured ?? `cli:${osUser()}`;
  return { accountId: name, accountName: name, roles: [], credential: 'local' };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the uid still names someone.
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * What the access decision allowed: the agreement versions it rests on (for the log) and the
 * object scope reads and writes are limited to. No scope: everything (the local operator).
 */
export interface Authority {
  basis: string[];
  scope?: ObjectScope;
}

/** The local operator's authority: not an agreement, and no object scope. */
export const OPERATOR_AUTHORITY: Authority = { basis: [] };

/** The fields a door adds to each event (HTTP: request id, client, method, path, status, duration). */
export type DoorFields = Pick<
  AuditEventInput,
  'time' | 'request_id' | 'client' | 'user_agent' | 'method' | 'path' | 'query' | 'truncated' | 'http_status' | 'duration_ms'
>;

export interface Origin {
  /** Read when the event is built (a duration is measured up to then). */
  fields(): DoorFields;
  /** Called once the exchange's event is committed or queued, so the door does not log the request again. */
  recorded?(): void;
  /**
   * False when the answer carries no content (an HTTP HEAD): the read is logged as `*.head`,
   * without the versions a full read would have delivered, so delivery summaries skip it.
   */
  delivers?: boolean;
}
