import type { Response } from 'express';
import { TAXII_MEDIA_TYPE } from './media';

/** Every TAXII response, errors and empty pages included, carries the TAXII 2.1 media type. */
export function sendTaxii(res: Response, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  res.status(status);
  res.setHeader('Content-Type', TAXII_MEDIA_TYPE);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

export function sendTaxiiJson(res: Response, status: number, value: unknown, headers?: Record<string, string>): void {
  sendTaxii(res, status, JSON.stringify(value), headers);
}
