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
 * A browser's GET for GraphiQL's page only renders the page, so it may pass.
 */
export function passesCsrfCheck(req: IncomingMessage): boolean {
  if (req.headers[CSRF_HEADER] !== undefined) return true;
  const type = req.headers['content-type'];
  if (type !== undefined) return !SIMPLE_TYPES.has(type.split(';', 1)[0]!.trim().toLowerCase());
  return req.method === 'GET' && wantsHtml(req.headers.accept);
}

/** GraphiQL is served to a GET that accepts HTML (yoga renders it, runs nothing). */
function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}
