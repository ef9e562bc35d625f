/**
 * Errors of the admin and auditor APIs: plain JSON (`application/json`), shaped like TAXII
 * error resources (`title`, `description`, `http_status` as a string) so one client parser
 * reads both; statuses come from the one mapping in src/http/errors.ts.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AccordError } from '../../errors';
import { answerError, asAccordError } from '../errors';

export function sendAdminError(res: Response, err: AccordError): void {
  answerError(res, err, (status, body) => void res.status(status).json(body));
}

export function adminErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.log.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  sendAdminError(res, asAccordError(err, req));
}
