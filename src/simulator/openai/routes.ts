// The routes of vLLM's OpenAI-compatible server that a gateway uses. FastAPI answers the
// rest with `{"detail": ...}` bodies, and vLLM's key middleware with `{"error":"Unauthorized"}`:
// it guards every path under /v1 and leaves /health and /metrics open. As llama.cpp
// (flavour), it lists its model its own way, has /props, and guards all but /health and the
// model list.
// There is no /generate, /generate_stream, /info or POST / here.

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from '../core/context.ts';
import { sendEmpty, sendJson } from '../core/http-io.ts';
import { sendMetrics } from '../core/metrics.ts';
import { isLlamaCpp, servedModelName } from '../core/options.ts';
import type { RouteTable } from '../core/router.ts';
import { modelList } from './bodies.ts';
import { METHOD_NOT_ALLOWED, NOT_FOUND, UNAUTHORIZED } from './errors.ts';
import { handleOpenAiGeneration } from './generation-entry.ts';
import { llamaModelList, llamaProps } from './llamacpp.ts';

/** How often a starved /health looks whether the slots are free again. */
const STARVED_POLL_MS = 10;

function sendHealth(context: SimulatorContext, res: ServerResponse): void {
  const answer = () => sendEmpty(res, context.faults.isUnhealthy() ? 503 : 200);
  // llama.cpp builds before September 2025 answered /health from the same loop as the
  // generations: under load it waited until they were done.
  if (context.options.flavour !== 'llamacpp-legacy' || context.semaphore.inUse === 0) {
    answer();
    return;
  }
  const poll = setInterval(() => {
    if (context.semaphore.inUse > 0) return;
    clearInterval(poll);
    answer();
  }, STARVED_POLL_MS);
  res.once('close', () => clearInterval(poll));
}

function sendModels(context: SimulatorContext, res: ServerResponse): void {
  // /v1/models is where a client learns this server's limits, so stallInfo hangs it.
  if (context.faults.isInfoStalled()) return;
  const o = context.options;
  if (isLlamaCpp(o)) sendJson(res, 200, llamaModelList(servedModelName(o), context.startedAt, o));
  else sendJson(res, 200, modelList(servedModelName(o), o.modelId, context.startedAt, o.maxTotalTokens));
}

/** llama.cpp's /props; vLLM has none. */
function sendProps(context: SimulatorContext, res: ServerResponse): void {
  if (!isLlamaCpp(context.options)) sendJson(res, 404, NOT_FOUND);
  else sendJson(res, 200, llamaProps(context.options));
}

/** llama.cpp leaves these open whatever its --api-key; vLLM guards everything under /v1. */
const LLAMACPP_PUBLIC: ReadonlySet<string> = new Set(['/health', '/v1/health', '/models', '/v1/models']);

export const OPENAI_ROUTES: RouteTable = {
  routes: {
    '/health': { GET: (context, _req, res) => sendHealth(context, res) },
    '/metrics': { GET: (context, _req, res) => sendMetrics(context, res) },
    '/v1/models': { GET: (context, _req, res) => sendModels(context, res) },
    '/props': { GET: (context, _req, res) => sendProps(context, res) },
    '/v1/completions': { POST: (context, req, res) => handleOpenAiGeneration(context, req, res, 'completion') },
    '/v1/chat/completions': { POST: (context, req, res) => handleOpenAiGeneration(context, req, res, 'chat') },
  },
  needsKey: (method, path, options) => {
    if (method === 'OPTIONS') return false;
    if (isLlamaCpp(options)) return !LLAMACPP_PUBLIC.has(path);
    return path === '/v1' || path.startsWith('/v1/');
  },
  notFound: (res) => sendJson(res, 404, NOT_FOUND),
  methodNotAllowed: (res) => sendJson(res, 405, METHOD_NOT_ALLOWED),
  unauthorized: (res) => sendJson(res, 401, UNAUTHORIZED),
};
