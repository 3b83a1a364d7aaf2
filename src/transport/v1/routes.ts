// The OpenAI-compatible API on the gateway (/v1): models, chat completions and
// completions, unary and streaming, for every OpenAI client. Thin, as REST is:
// bodies are read onto the generation service's inputs and its outputs put in
// OpenAI's shapes; validation, admission, limits, attempts and the relay are
// the service's, the same as for GraphQL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../access/caller.ts';
import { mayUse } from '../../access/caller.ts';
import { GatewayError } from '../../errors.ts';
import { parseWithExactSeeds } from '../../generation/json-input.ts';
import type { Operation } from '../../generation/report.ts';
import type { GenerationService } from '../../generation/service.ts';
import type { InFlight } from '../../lib/in-flight.ts';
import type { Logger } from '../../logger.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ChatEvent } from '../../generation/chat-answer.ts';
import type { StreamToken } from '../../upstream/types.ts';
import type { RefusalListener } from '../common/refusal.ts';
import { sendJson } from '../common/send-json.ts';
import { readJson, type BodyLimits } from '../rest/json-body.ts';
import { answerHead, chatChunk, chatCompletion, openAICallDelta, pieceWriter, textChunk, textCompletion, usageChunk, type AnswerHead, type ChunkDelta } from './answers.ts';
import { readChatRequest } from './chat-request.ts';
import { readCompletionRequest } from './completion-request.ts';
import { OpenAIError, sendOpenAIError, toOpenAIError } from './errors.ts';
import { frame, frameJson, sendChunkStream, type ChunkShape } from './event-stream.ts';
import { decodePathSegment } from '../common/path-segment.ts';

/** Where the OpenAI-compatible API lives. */
export const V1_PREFIX = '/v1/';

const MODEL = /^\/v1\/models\/(.+)$/;

/** What server.ts learned of the request before routing it. */
export interface V1Request {
  requestId: string;
  caller: Caller;
  traceparent: string | undefined;
  /** The operation's one signal (common/operation-signal.ts). */
  signal: AbortSignal;
}

export interface V1Services {
  readonly registry: Pick<Registry, 'models' | 'get'>;
  readonly generation: Pick<GenerationService, 'prepare' | 'prepareChat' | 'generate' | 'chat' | 'generateStream' | 'chatStream'>;
  /** `owned_by` of every model; `created`, the gateway's start (seconds). */
  readonly about: { readonly name: string; readonly startedAt: number };
  /** Streams still writing; shutdown lets them send their last event. */
  readonly streams: InFlight;
}

export type V1Handler = ReturnType<typeof createV1Handler>;

export const notFound = (path: string) => new OpenAIError(404, 'invalid_request_error', 'not_found', `no route ${path} (the gateway serves GET /v1/models, GET /v1/models/{id}, POST /v1/chat/completions, POST /v1/completions)`, null, 'NOT_FOUND');

export function createV1Handler(services: V1Services, bodyLimits: BodyLimits, logger: Logger, onRefused: RefusalListener = () => undefined) {
  const { registry, generation, about } = services;
  const created = Math.floor(about.startedAt / 1000);
  const modelObject = (id: string) => ({ id, object: 'model' as const, created, owned_by: about.name });

  const routes = {
    models(res: ServerResponse, { caller }: V1Request) {
      sendJson(res, 200, { object: 'list', data: registry.models.filter((m) => mayUse(caller, m.id)).map((m) => modelObject(m.id)) });
    },
    model(res: ServerResponse, id: string, { caller }: V1Request) {
      // A model the key may not use is not shown to it at all.
      if (registry.get(id) === undefined || !mayUse(caller, id)) throw new GatewayError('MODEL_NOT_FOUND', `no model with id "${id}"`);
      sendJson(res, 200, modelObject(id));
    },
    async chat(req: IncomingMessage, res: ServerResponse, request: V1Request) {
      const { input, stream, includeUsage } = readChatRequest(await readBody(req, request));
      const operation: Operation = stream ? 'chatStream' : 'chat';
      const prepared = await generation.prepareChat(input, infoOf(request, operation));
      const head = answerHead('chat', prepared.model.id);
      if (!stream) {
        const output = await generation.chat(prepared, request.signal);
        sendJson(res, 200, chatCompletion(head, output.content, output.toolCalls, output.finishReason, output.usage));
        return;
      }
      await relay(res, generation.chatStream(prepared, request.signal), chatShape(head), includeUsage, request.signal);
    },
    async completions(req: IncomingMessage, res: ServerResponse, request: V1Request) {
      const { input, stream, includeUsage, echo } = readCompletionRequest(await readBody(req, request));
      const prepared = await generation.prepare(input, infoOf(request, stream ? 'completionsStream' : 'completions'));
      const head = answerHead('completion', prepared.model.id);
      if (!stream) {
        const output = await generation.generate(prepared, request.signal);
        sendJson(res, 200, textCompletion(head, output.generatedText, output.details.finishReason, output.usage));
        return;
      }
      const opening = echo ? [textChunk(head, input.prompt, null)] : [];
      await relay(res, generation.generateStream(prepared, request.signal), completionShape(head, opening), includeUsage, request.signal);
    },
  };

  /** A stream is tracked so that shutdown lets it write its last event. */
  function relay<E>(...args: Parameters<typeof sendChunkStream<E>>): Promise<void> {
    const sending = sendChunkStream(...args);
    services.streams.track(sending);
    return sending;
  }

  async function readBody(req: IncomingMessage, { requestId }: V1Request): Promise<unknown> {
    try {
      // A JSON number under "seed" is read by its source text: JSON.parse alone would round a u64 past 2^53.
      return await readJson(req, bodyLimits, parseWithExactSeeds);
    } catch (error) {
      onRefused('openai', toOpenAIError(error).gatewayCode, requestId);
      throw error;
    }
  }

  /** Answers the request when it is one of /v1's routes; returns false otherwise. */
  return async function handleV1(req: IncomingMessage, res: ServerResponse, path: string, request: V1Request): Promise<boolean> {
    const method = req.method ?? 'GET';
    const { requestId } = request;
    try {
      if (path === '/v1/models' && method === 'GET') routes.models(res, request);
      else if (path === '/v1/chat/completions' && method === 'POST') await routes.chat(req, res, request);
      else if (path === '/v1/completions' && method === 'POST') await routes.completions(req, res, request);
      else {
        const match = MODEL.exec(path);
        if (!match || method !== 'GET') return false;
        routes.model(res, decodePathSegment(match[1]!), request);
      }
    } catch (error) {
      if (res.destroyed) return true; // the client left: nobody to answer, nothing to report
      const failure = toOpenAIError(error);
      // A refusal of a body's fields never reached the service: it is counted here.
      if (error instanceof OpenAIError) onRefused('openai', failure.gatewayCode, requestId);
      if (failure.gatewayCode === 'INTERNAL_SERVER_ERROR') logger.error({ err: error, requestId }, 'OpenAI-compatible request failed');
      else if (error instanceof GatewayError && error.cause !== undefined) logger.warn({ requestId, code: error.code, upstream: error.cause }, error.message);
      if (!res.headersSent) sendOpenAIError(res, failure);
    }
    return true;
  };
}

const infoOf = ({ caller, requestId, traceparent }: V1Request, operation: Operation) => ({ caller, requestId, traceparent, operation, transport: 'openai' as const });

function chatShape(head: AnswerHead): ChunkShape<ChatEvent> {
  // Most events carry a piece of content and nothing else: their JSON is written around it.
  const contentOnly = pieceWriter(chatChunk(head, { content: '' }, null), 'content');
  return {
    opening: [chatChunk(head, { role: 'assistant', content: '' }, null)],
    frames: (event) => {
      const calls = event.toolCallDeltas.length > 0;
      if (!calls && event.finishReason === null) return event.delta === '' ? '' : frameJson(contentOnly(event.delta));
      const delta: ChunkDelta = {};
      if (event.delta !== '') delta.content = event.delta;
      if (calls) delta.tool_calls = event.toolCallDeltas.map(openAICallDelta);
      return frame(chatChunk(head, delta, event.finishReason));
    },
    usage: (event) => event.usage,
    usageChunk: (usage) => usageChunk(head, 'chat.completion.chunk', usage),
  };
}

function completionShape(head: AnswerHead, opening: readonly object[]): ChunkShape<StreamToken> {
  const textOnly = pieceWriter(textChunk(head, '', null), 'text');
  return {
    opening,
    frames: (event) => {
      // A special token (the end-of-sequence one) is no text of the answer, as in `generate`'s.
      const text = event.token.special ? '' : event.token.text;
      const finish = event.details?.finishReason ?? null;
      if (finish !== null) return frame(textChunk(head, text, finish));
      return text === '' ? '' : frameJson(textOnly(text));
    },
    usage: (event) => event.usage,
    usageChunk: (usage) => usageChunk(head, 'text_completion', usage),
  };
}
