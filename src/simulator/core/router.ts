// Dispatch by path and method. Every request is counted and recorded first, then the API key
// is checked, then the protocol's own table answers, with that server's 404/405/401 bodies.
// Each protocol brings its table; the router knows none of them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasKey } from './auth.ts';
import type { SimulatorContext } from './context.ts';
import { CONTROL_PATHS, handleControl } from './control-routes.ts';
import { readJsonBody } from './http-io.ts';
import type { SimulatorOptions } from './types.ts';

type Handler = (context: SimulatorContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RouteTable {
  routes: Record<string, Partial<Record<'GET' | 'POST', Handler>>>;
  /** Whether a request must carry the API key, when one is set (any path, known or not). */
  needsKey(method: string, path: string, options: SimulatorOptions): boolean;
  notFound(res: ServerResponse): void;
  methodNotAllowed(res: ServerResponse): void;
  unauthorized(res: ServerResponse): void;
}

/** The table's routes, without /health when the server is configured to have none. */
function routesOf(context: SimulatorContext, table: RouteTable): RouteTable['routes'] {
  if (context.options.health) return table.routes;
  const { '/health': _health, ...others } = table.routes;
  return others;
}

export async function route(context: SimulatorContext, table: RouteTable, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const routes = routesOf(context, table);
  const known = Object.hasOwn(routes, path) || CONTROL_PATHS.has(path);
  context.stats.countRoute(known ? `${method} ${path}` : 'other');
  if (CONTROL_PATHS.has(path)) {
    await handleControl(context, req, res, path, url.searchParams);
    return;
  }
  context.requests.record(req, `${method} ${path}`);
  const key = context.options.apiKey;
  if (key !== null && table.needsKey(method, path, context.options) && !hasKey(req, key)) {
    // Read anyway, so a test can see what was sent with the wrong key.
    const body = await readJsonBody(req, false);
    if (body.kind === 'gone') return;
    if (body.kind === 'body') context.requests.attachBody(req, body.text);
    table.unauthorized(res);
    return;
  }
  const methods = routes[path];
  if (methods === undefined) {
    table.notFound(res);
    return;
  }
  // axum and Starlette serve HEAD wherever they serve GET.
  const handler = methods[method === 'HEAD' ? 'GET' : (method as 'GET' | 'POST')];
  if (handler === undefined) {
    table.methodNotAllowed(res);
    return;
  }
  await handler(context, req, res);
}
