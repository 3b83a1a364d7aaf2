// A GraphQL answer for a request refused before yoga ran (no key, CSRF, the
// drain, a bug), in the media type the client accepts, as yoga answers the rest:
// a client of GraphQL over HTTP (Apollo's HttpLink) reads the errors of a
// non-2xx answer only when it comes as application/graphql-response+json.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../common/send-json.ts';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

export function sendGraphQLRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: { message: string; extensions: Record<string, unknown> },
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [error] }, headers, refusalType(req.headers.accept));
}

/** graphql-response+json when the client accepts it at least as well as application/json; otherwise application/json. */
export function refusalType(accept: string | undefined): string {
  if (accept === undefined) return JSON_TYPE;
  let graphql = 0;
  let json = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2)) || 0;
    if (type === GRAPHQL_RESPONSE) graphql = Math.max(graphql, weight);
    if (type === JSON_TYPE) json = Math.max(json, weight);
  }
  return graphql > 0 && graphql >= json ? GRAPHQL_RESPONSE : JSON_TYPE;
}
