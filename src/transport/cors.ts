// CORS for every route of the gateway, decided in one place (yoga's own is off).
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_HEADERS = 'content-type, authorization, x-api-key, x-request-id, x-graphql-csrf, traceparent';

export function createCors(allowedOrigins: readonly string[]) {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return {
    /** Sets the CORS headers; answers a preflight itself and returns true when it did. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const origin = req.headers.origin;
      if (origin === undefined) return false;
      res.setHeader('vary', 'Origin');
      if (!any && !allowed.has(origin)) return false;
      res.setHeader('access-control-allow-origin', any ? '*' : origin);
      if (!any) res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
      if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return true;
    },
    /** Whether a WebSocket handshake from this origin may proceed (CORS does not cover upgrades). */
    allowsSocket(req: IncomingMessage): boolean {
      const origin = req.headers.origin;
      if (origin === undefined || any || allowed.has(origin)) return true;
      // The gateway's own pages (GraphiQL) connect from the gateway's own origin.
      try {
        return new URL(origin).host === req.headers.host;
      } catch {
        return false;
      }
    },
  };
}

export type Cors = ReturnType<typeof createCors>;
