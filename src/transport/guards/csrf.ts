// Requests a browser sends cross-site without a CORS preflight: a form post,
// an EventSource, a plain GET. Answering them would let any page a user
// visits start generations (GPU time, the user's key or address) on /graphql.
import type { IncomingMessage } from 'node:http';

/** Content types a browser may send cross-site without asking first. */
const SIMPLE_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

export const CSRF_HEADER = 'x-graphql-csrf';

export const CSRF_MESSAGE =
  `a browser could send this request from any site, so it is refused: send it with content-type application/json, or with the header ${CSRF_HEADER}: 1`;

/**
 * Whether the request proves it is no simple cross-site request: it carries
 * the CSRF header (which forces a preflight), or a content type that does.
 * (GraphiQL's page is served before this check: it runs nothing.)
 */
export function passesCsrfCheck(req: IncomingMessage): boolean {
  if (req.headers[CSRF_HEADER] !== undefined) return true;
  const type = req.headers['content-type'];
  return type !== undefined && !SIMPLE_TYPES.has(type.split(';', 1)[0]!.trim().toLowerCase());
}
