import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/config';

/**
 * Structured JSON logs. Request logs carry the request id and account name; the
 * redaction list is a second line of defence should a secret-bearing field be logged.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'accord' },
    redact: { paths: ['password', 'token', 'secret', '*.password', '*.token', '*.secret', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
