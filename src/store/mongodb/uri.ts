/**
 * What Accord reads from a MongoDB connection string itself. Everything else (TLS,
 * authSource, replicaSet, timeouts, pool sizes) passes through to the driver untouched.
 */

const SCHEME = /^mongodb(\+srv)?:\/\//i;

export function isMongoUri(location: string): boolean {
  return SCHEME.test(location);
}

/** The hosts of a connection string, without credentials or options: safe for messages and logs. */
export function hostsOf(uri: string): string {
  const authority = uri.replace(SCHEME, '').split(/[/?]/, 1)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The database named in the connection string's path, or `accord` when it names none. */
export function databaseOf(uri: string): string {
  const name = /^[^/?]*\/([^?]*)/.exec(uri.replace(SCHEME, ''))?.[1];
  return name ? decodeURIComponent(name) : 'accord';
}

/** Whether the connection string sets this option itself (option names are case-insensitive). */
export function hasOption(uri: string, option: string): boolean {
  const query = uri.split('?')[1] ?? '';
  return query.split('&').some((pair) => pair.split('=')[0]?.toLowerCase() === option.toLowerCase());
}
