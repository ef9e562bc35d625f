/** TAXII 2.1 §4.1 Server Discovery and §4.2 API Root Information. */
import type { RequestHandler } from 'express';
import type { ApiRootRecord } from '../../catalog/types';
import type { AppContext } from '../context';
import { TAXII_MEDIA_TYPE } from '../media';
import { sendTaxiiJson } from '../respond';
import { apiRootOf } from '../routing';

/**
 * API root URLs: absolute HTTPS URLs under the configured public URL, as the standard
 * requires for absolute URLs; relative ones when none is configured.
 */
function rootUrl(ctx: AppContext, root: ApiRootRecord): string {
  const base = ctx.config.publicUrl?.replace(/\/+$/, '') ?? '';
  return `${base}/${root.path}/`;
}

export function discovery(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const roots = await ctx.store.listApiRoots();
    const { title, description, contact } = ctx.config.discovery;
    const defaultRoot = roots.find((r) => r.path === ctx.config.discovery.default) ?? roots[0];
    sendTaxiiJson(res, 200, {
      title,
      ...(description !== undefined && { description }),
      ...(contact !== undefined && { contact }),
      ...(defaultRoot && { default: rootUrl(ctx, defaultRoot) }),
      ...(roots.length > 0 && { api_roots: roots.map((r) => rootUrl(ctx, r)) }),
    });
  };
}

export function apiRootInformation(): RequestHandler {
  return (_req, res) => {
    const root = apiRootOf(res);
    sendTaxiiJson(res, 200, {
      title: root.title,
      ...(root.description !== undefined && { description: root.description }),
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: root.maxContentLength,
    });
  };
}
