/**
 * What an admin handler sees and returns. Handlers get the parsed request, not express's
 * objects, so each reads as the operation it performs; src/http/admin/router.ts does the HTTP.
 */
import type { AppContext } from '../context';

export interface AdminCall {
  ctx: AppContext;
  /** The acting account's id: every service records it as `by` with the change. */
  by: string;
  /** A path parameter of the route. */
  param: (name: string) => string;
  /** The query parameters the route accepts, each given at most once. */
  query: Readonly<Record<string, string>>;
  /** The parsed JSON body, for routes that take one. */
  body: unknown;
}

export interface Reply {
  status: number;
  /** Absent for 204. */
  body?: unknown;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent: Reply = { status: 204 };
