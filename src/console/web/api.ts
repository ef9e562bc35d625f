/**
 * Calls to Accord's own APIs with the session cookie. Every change carries the CSRF token
 * (from the accord_csrf cookie) in X-CSRF-Token; X-Accord-Console asks the server for no
 * Basic challenge on a 401, so the browser shows no sign-in dialog of its own.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
  ) {
    super(`${title}: ${description}`);
  }
}

export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === 'accord_csrf') return value;
  }
  return undefined;
}

/** Called when the session has ended (401): the console goes back to its sign-in. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Accord-Console': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = csrfToken();
  if (method !== 'GET' && csrf !== undefined) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { title?: string; description?: string };
    if (res.status === 401 && path !== '/console/session') onSignedOut();
    throw new ApiError(res.status, e.title ?? res.statusText, e.description ?? '');
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
