/**
 * Transport-level protection (docs/security.md): headers on every answer, content and
 * errors alike, and the TLS options of the HTTPS server.
 */
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import type { SecureContextOptions } from 'node:tls';
import type { Config } from '../config/config';

/**
 * nosniff: no browser may guess another type for a STIX object's text. no-store: threat
 * intelligence must not linger in proxies or browser caches. HSTS under TLS: a browser that
 * reached the console once never falls back to plain HTTP.
 */
export function securityHeaders(config: Readonly<Config>) {
  const hsts = config.tls && config.hstsSeconds > 0 ? `max-age=${config.hstsSeconds}` : undefined;
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (hsts) res.setHeader('Strict-Transport-Security', hsts);
    next();
  };
}

/**
 * TLS 1.2 or later, forward-secret AEAD suites only (by default), the server's preference
 * first. Clients are asked for a certificate but not required to send one: a certificate is
 * one credential among others (src/auth/authenticator.ts), checked against `tls.ca` when set.
 */
export function tlsOptions(config: Readonly<Config>): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    minVersion: config.tlsMinVersion,
    ciphers: config.tlsCiphers,
    honorCipherOrder: true,
    requestCert: true,
    rejectUnauthorized: false,
    ...(config.tls?.ca !== undefined && { ca: readFileSync(config.tls.ca) }),
  };
}
