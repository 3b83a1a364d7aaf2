// CORS for every route of the gateway, decided in one place (yoga's own is off),
// and the Origin check of WebSocket handshakes, which CORS does not cover.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../logger.ts';
import { sendJson } from '../common/send-json.ts';

const ALLOW_HEADERS = 'content-type, authorization, x-api-key, x-request-id, x-graphql-csrf, traceparent';
/**
 * What OpenAI's SDKs send besides (its platform headers, its retry count and
 * timeout, its organization and project; the AI SDK's user agent): a browser
 * asks for them in its preflight, and the OpenAI-compatible API would otherwise
 * be closed to a page at an allowed origin.
 */
const OPENAI_CLIENT_HEADERS = [
  'x-stainless-os', 'x-stainless-lang', 'x-stainless-arch', 'x-stainless-runtime', 'x-stainless-runtime-version', 'x-stainless-package-version',
  'x-stainless-retry-count', 'x-stainless-timeout', 'x-stainless-helper-method', 'openai-organization', 'openai-project', 'user-agent',
].join(', ');
const OPENAI_API = '/v1/';
/** Refused origins already logged; bounded, since anyone can send any Origin. */
const LOGGED_ORIGINS = 1000;

export function createCors(allowedOrigins: readonly string[], logger: Logger) {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  const logged = new LRUCache<string, true>({ max: LOGGED_ORIGINS });

  /** Once per origin, so that an operator sees why a frontend cannot connect. */
  const refused = (origin: string, what: 'preflight' | 'request' | 'websocket') => {
    if (logged.has(origin)) return;
    logged.set(origin, true);
    logger.info({ origin, refused: what }, 'origin not in ALLOWED_ORIGINS: browsers there cannot use the gateway');
  };

  return {
    /** Sets the CORS headers; answers a preflight itself and returns true when it did. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const origin = req.headers.origin;
      if (origin === undefined) return false;
      res.setHeader('vary', 'Origin');
      const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      if (!any && !allowed.has(origin)) {
        // Same-origin requests (GraphiQL's own) carry an Origin too, and need no CORS.
        if (isOwnOrigin(origin, req)) return false;
        refused(origin, preflight ? 'preflight' : 'request');
        if (!preflight) return false;
        // The same answer on every route: a 404 or 405 here would read as "no such route".
        sendJson(res, 403, { detail: 'this origin is not allowed (ALLOWED_ORIGINS)' });
        return true;
      }
      res.setHeader('access-control-allow-origin', any ? '*' : origin);
      if (!any) res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
      if (!preflight) return false;
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.url?.startsWith(OPENAI_API) ? `${ALLOW_HEADERS}, ${OPENAI_CLIENT_HEADERS}` : ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return true;
    },
    /** Whether a WebSocket handshake from this origin may proceed. */
    allowsSocket(req: IncomingMessage): boolean {
      const origin = req.headers.origin;
      if (origin === undefined || any || allowed.has(origin) || isOwnOrigin(origin, req)) return true;
      refused(origin, 'websocket');
      return false;
    },
  };
}

export type Cors = ReturnType<typeof createCors>;

/**
 * The gateway's own pages (GraphiQL) send the gateway's own origin. Only a
 * loopback one is taken as such: any name can be made to resolve to the
 * gateway (DNS rebinding), and the browser then sends Host and Origin alike,
 * so a page of the attacker's would pass for the gateway's own. Served under
 * any other name, the gateway's own origin belongs in ALLOWED_ORIGINS.
 */
function isOwnOrigin(origin: string, req: IncomingMessage): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return isLoopback(url.hostname) && url.host === req.headers.host;
}

/** localhost, 127.0.0.0/8 or [::1], as the URL parser writes them. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
