// A JSON answer on node:http, for the routes that do not go through yoga.
import type { ServerResponse } from 'node:http';

/** `mediaType` a JSON type: application/json unless the route's client asked for another (GraphQL's). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, mediaType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': `${mediaType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
