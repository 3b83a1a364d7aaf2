// TGI's routes: its native API, its Messages API (OpenAI-style, TGI-flavoured) and the
// housekeeping routes. axum answers the rest with empty 404/405 bodies, and a missing key
// with an empty 401. Its `--api-key` guards the generation routes only.

import { sendEmpty } from '../core/http-io.ts';
import { sendMetrics } from '../core/metrics.ts';
import type { RouteTable } from '../core/router.ts';
import { handleGeneration } from './generation-entry.ts';
import { sendHealth, sendInfo, sendModels } from './info-routes.ts';

const GUARDED = new Set(['/', '/generate', '/generate_stream', '/v1/chat/completions', '/v1/completions']);

export const TGI_ROUTES: RouteTable = {
  routes: {
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
    '/v1/chat/completions': { POST: (context, req, res) => handleGeneration(context, req, res, 'chat') },
    '/v1/completions': { POST: (context, req, res) => handleGeneration(context, req, res, 'completions') },
  },
  // GET / is TGI's health route, open like /health.
  needsKey: (method, path) => method === 'POST' && GUARDED.has(path),
  notFound: (res) => sendEmpty(res, 404),
  methodNotAllowed: (res) => sendEmpty(res, 405),
  unauthorized: (res) => sendEmpty(res, 401),
};
