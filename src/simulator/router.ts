// Dispatch by path and method with TGI's answers for the rest: 404 and 405 with empty bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import { CONTROL_PATHS, handleControl } from './control-routes.ts';
import { handleGeneration } from './generation-entry.ts';
import { sendEmpty } from './http-io.ts';
import { sendHealth, sendInfo, sendMetrics, sendModels } from './info-routes.ts';

type Handler = (context: SimulatorContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
  '/': {
    GET: (context, _req, res) => sendHealth(context, res),
    POST: (context, req, res) => handleGeneration(context, req, res, 'compat'),
  },
  '/health': { GET: (context, _req, res) => sendHealth(context, res) },
  '/ping': { GET: (context, _req, res) => sendHealth(context, res) },
  '/info': { GET: (context, _req, res) => sendInfo(context, res) },
  '/metrics': { GET: (context, _req, res) => sendMetrics(context, res) },
  '/v1/models': { GET: (context, _req, res) => sendModels(context, res) },
  '/generate': { POST: (context, req, res) => handleGeneration(context, req, res, 'generate') },
  '/generate_stream': { POST: (context, req, res) => handleGeneration(context, req, res, 'stream') },
};

export async function route(context: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const known = Object.hasOwn(ROUTES, path) || CONTROL_PATHS.has(path);
  context.stats.countRoute(known ? `${method} ${path}` : 'other');
  if (CONTROL_PATHS.has(path)) {
    await handleControl(context, req, res, path, url.searchParams);
    return;
  }
  const methods = ROUTES[path];
  if (methods === undefined) {
    sendEmpty(res, 404);
    return;
  }
  // axum serves HEAD wherever it serves GET.
  const handler = methods[method === 'HEAD' ? 'GET' : (method as 'GET' | 'POST')];
  if (handler === undefined) {
    sendEmpty(res, 405);
    return;
  }
  await handler(context, req, res);
}
