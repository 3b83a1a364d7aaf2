// The original backend's REST API, same paths and snake_case shapes, so its
// frontend and scripts keep working. Thin: it maps JSON onto the same
// generation service and registry that GraphQL uses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../access/caller.ts';
import { asGatewayError, GatewayError, HTTP_STATUS } from '../../errors.ts';
import type { GenerateInput } from '../../generation/input.ts';
import type { GenerationService } from '../../generation/service.ts';
import type { Logger } from '../../logger.ts';
import type { Registry } from '../../registry/registry.ts';
import { sendJson } from '../common/send-json.ts';
import { parseWithExactSeeds } from '../../generation/json-input.ts';
import { readGenerateInput, restMessage } from './generate-input.ts';
import { BodyError, readJson, type BodyLimits } from './json-body.ts';
import { GRAPHQL_PATH } from '../http/yoga.ts';
import type { RefusalListener } from '../common/refusal.ts';
import { decodePathSegment } from '../common/path-segment.ts';

const MODEL_HEALTH = /^\/models\/([^/]+)\/health$/;

/** What server.ts learned of a REST request before routing it. */
interface RestRequest {
  requestId: string;
  caller: Caller;
  traceparent: string | undefined;
  /** The operation's one signal (common/operation-signal.ts). */
  signal: AbortSignal;
}

export type RestHandler = ReturnType<typeof createRestHandler>;

/** What the REST routes use: the models, unary generation, and what the root route names. */
export interface RestServices {
  readonly registry: Pick<Registry, 'models' | 'get'>;
  readonly generation: Pick<GenerationService, 'prepare' | 'generate'>;
  readonly about: { readonly name: string; readonly version: string };
  /** Whether replica URLs may be shown to clients (EXPOSE_ENDPOINTS). */
  readonly exposeEndpoints: boolean;
}

/** `onRefused` is told of each request refused before it reached the generation service (its body). */
export function createRestHandler(services: RestServices, bodyLimits: BodyLimits, logger: Logger, onRefused: RefusalListener = () => undefined) {
  const { registry, generation, about } = services;
  const endpointOf = (url: string | undefined) => (services.exposeEndpoints ? (url ?? null) : null);

  const routes = {
    async root(res: ServerResponse) {
      sendJson(res, 200, {
        name: about.name,
        version: about.version,
        docs: GRAPHQL_PATH,
        graphql: GRAPHQL_PATH,
        models: registry.models.map((m) => m.id),
      });
    },
    async models(res: ServerResponse) {
      const rows = await Promise.all(registry.models.map(async (m) => ({
        id: m.id,
        name: m.name,
        hf_name: await m.hfName(),
        endpoint: endpointOf(m.replicas[0]?.url),
        available: (await m.health()).healthy,
      })));
      sendJson(res, 200, rows);
    },
    async health(res: ServerResponse, id: string) {
      const model = registry.get(id);
      if (!model) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${id}"`);
      const health = await model.health();
      sendJson(res, 200, {
        model_id: model.id,
        endpoint: endpointOf(health.endpoint ?? undefined),
        healthy: health.healthy,
        status: health.status.toLowerCase(),
      });
    },
    async generate(req: IncomingMessage, res: ServerResponse, { requestId, caller, traceparent, signal }: RestRequest) {
      const input = await readInput(req, requestId);
      const prepared = await generation.prepare(input, { caller, requestId, operation: 'generate', transport: 'rest', traceparent });
      const output = await generation.generate(prepared, signal);
      sendJson(res, 200, { generated_text: output.generatedText, model_id: prepared.model.id });
    },
  };

  async function readInput(req: IncomingMessage, requestId: string): Promise<GenerateInput> {
    try {
      // A JSON number under "seed" is read by its source text: JSON.parse alone would round a u64 past 2^53.
      return readGenerateInput(await readJson(req, bodyLimits, parseWithExactSeeds));
    } catch (error) {
      onRefused('rest', error instanceof BodyError ? error.code : asGatewayError(error).code, requestId);
      throw error;
    }
  }

  /** Answers the request when it is a REST route; returns false otherwise. */
  return async function handleRest(req: IncomingMessage, res: ServerResponse, path: string, request: RestRequest): Promise<boolean> {
    const method = req.method ?? 'GET';
    const { requestId } = request;
    try {
      if (path === '/' && method === 'GET') await routes.root(res);
      else if (path === '/models' && method === 'GET') await routes.models(res);
      else if (path === '/generate' && method === 'POST') await routes.generate(req, res, request);
      else {
        const match = MODEL_HEALTH.exec(path);
        if (!match || method !== 'GET') return false;
        await routes.health(res, decodePathSegment(match[1]!));
      }
    } catch (error) {
      if (res.destroyed) return true; // the client left: nobody to answer, nothing to report
      if (!(error instanceof GatewayError || error instanceof BodyError)) logger.error({ err: error, requestId }, 'REST request failed');
      // The client's message names no code or address: the upstream failure, detail included, is logged here.
      else if (error instanceof GatewayError && error.cause !== undefined) {
        logger.warn({ requestId, code: error.code, upstream: error.cause }, error.message);
      }
      if (!res.headersSent) sendError(res, error);
    }
    return true;
  };
}


function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof BodyError) return sendJson(res, error.status, { detail: error.message });
  const failure = asGatewayError(error);
  const status = HTTP_STATUS[failure.code];
  const retryAfter = failure.details.retryAfterSeconds;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  if (status === 429 && retryAfter === undefined) headers['retry-after'] = '1';
  sendJson(res, status, { detail: restMessage(failure) }, headers);
}
