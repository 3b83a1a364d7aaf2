// vLLM's /v1/completions and /v1/chat/completions. Unlike TGI, every refusal (bad body,
// unknown model, invalid sampling, a full server) is an HTTP error before any byte of a
// stream; once streaming, only a generation failure is in-band. As llama.cpp, a request
// waits for a free slot instead of a 503, and some failures it caused answer HTTP 500 (or,
// on a legacy build's stream, an `error:` line). Faults, pacing, permits and
// counters are the shared core's, as on TGI's routes.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimulatorContext } from '../core/context.ts';
import { Exchange } from '../core/exchange.ts';
import { admitGeneration } from '../core/front-door.ts';
import { readJsonBody } from '../core/http-io.ts';
import { parseJson } from '../core/json-parser.ts';
import { BodyError, decodeOpenAiRequest, type OpenAiKind, type OpenAiRequest } from '../core/openai-style-request.ts';
import { isLlamaCpp, servedModelName } from '../core/options.ts';
import { stringifyJson } from '../core/json.ts';
import type { RequestTiedError } from '../core/types.ts';
import { requestTiedError } from './llamacpp.ts';
import { planned } from '../core/prepared-generation.ts';
import { SseWriter } from '../core/sse.ts';
import { answerWhenGenerated } from '../core/token-answer.ts';
import { streamTokens } from '../core/token-stream.ts';
import type { VllmMeta } from './bodies.ts';
import { badRequest, modelNotFound, openAiError, queueFull, sendOpenAiError, type OpenAiError } from './errors.ts';
import { vllmAnswer, vllmStreamEvents } from './events.ts';
import { toolAnswer } from '../core/tool-answer.ts';
import { toolRequestError } from './tools.ts';
import { isOpenAiError, validateOpenAi } from './validation.ts';

async function readRequest(
  context: SimulatorContext,
  req: IncomingMessage,
  kind: OpenAiKind,
): Promise<OpenAiRequest | OpenAiError | null> {
  // FastAPI parses the body whatever its Content-Type says.
  const body = await readJsonBody(req, false);
  if (body.kind === 'gone') return null;
  if (body.kind === 'rejected') return openAiError(body.status, body.message);
  context.requests.attachBody(req, body.text);
  try {
    return decodeOpenAiRequest(parseJson(body.text), kind);
  } catch (error) {
    if (error instanceof BodyError) return badRequest(error.message, error.param);
    return badRequest(`JSON decode error: ${(error as Error).message}`, 'body');
  }
}

function nextMeta(context: SimulatorContext, kind: OpenAiKind, model: string): VllmMeta {
  const serial = (context.nextResponseId++).toString(16).padStart(32, '0');
  return { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${serial}`, created: Math.floor(Date.now() / 1000), model };
}

/**
 * llama.cpp's answer to a request it cannot serve: HTTP 500, though the request caused it;
 * a stream of a build before September 2025 answered 200 and sent it as an `error:` line.
 */
function failForRequest(context: SimulatorContext, exchange: Exchange, res: ServerResponse, stream: boolean, kind: RequestTiedError): void {
  const error = requestTiedError(kind);
  context.stats.failed('generation');
  if (!(stream && context.options.flavour === 'llamacpp-legacy')) {
    exchange.settle('errored');
    sendOpenAiError(res, error);
    return;
  }
  const { lineEnding, chunkBytes } = context.options;
  const sse = new SseWriter(res, exchange.timers, { lineEnding, chunkBytes, keepAliveMs: null });
  sse.open({ 'content-type': 'text/event-stream' });
  const { message, type, code } = error.body.error;
  sse.send(stringifyJson({ code, message, type }), 'error');
  sse.send('[DONE]');
  sse.end(() => exchange.settle('errored'));
}

export async function handleOpenAiGeneration(
  context: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  kind: OpenAiKind,
): Promise<void> {
  const faults = admitGeneration(context, req);
  if (faults === null) return;
  const request = await readRequest(context, req, kind);
  if (request === null) return;
  if ('status' in request) {
    sendOpenAiError(res, request);
    return;
  }
  context.stats.lastGenerationSeed = request.seed?.toString() ?? null;
  if (faults.stallBeforeHeaders) {
    // Held open without a byte of answer; settled as aborted when the client leaves.
    new Exchange(context, res, request.stream ? 'stream' : 'generation');
    return;
  }
  if (faults.httpStatus !== undefined) {
    sendOpenAiError(res, openAiError(faults.httpStatus, STATUS_CODES[faults.httpStatus] ?? 'Error'));
    return;
  }
  context.stats.prometheus.requestCount += 1;
  const exchange = new Exchange(context, res, request.stream ? 'stream' : 'generation');
  const refuse = (error: OpenAiError, label: string): void => {
    context.stats.failed(label);
    exchange.settle('errored');
    sendOpenAiError(res, error);
  };
  const model = servedModelName(context.options);
  if (request.model !== null && request.model !== model) {
    refuse(modelNotFound(request.model), 'validation');
    return;
  }
  const toolError = toolRequestError(request, context.options.autoToolChoice);
  if (toolError !== null) {
    refuse(toolError, 'validation');
    return;
  }
  const validated = validateOpenAi(request, context.options.maxTotalTokens);
  if (isOpenAiError(validated)) {
    refuse(validated, 'validation');
    return;
  }
  if (faults.requestTiedError !== undefined) {
    failForRequest(context, exchange, res, request.stream, faults.requestTiedError);
    return;
  }
  const llama = isLlamaCpp(context.options);
  let permit = faults.overloaded && !llama ? null : context.semaphore.tryAcquire(1);
  if (permit === null && llama) {
    // llama.cpp never refuses for load: the request waits for a slot.
    exchange.enterQueue();
    permit = await context.semaphore.acquire(1, () => exchange.settled);
    exchange.leaveQueue();
    if (permit === null) return;
    if (exchange.settled) {
      permit.release();
      return;
    }
  }
  if (permit === null) {
    refuse(queueFull(context.options.maxConcurrentRequests), 'overloaded');
    return;
  }
  exchange.holdPermit(permit);
  const prepared = planned(validated);
  const meta = nextMeta(context, kind, model);
  const answer = toolAnswer(request.structured, request.messages ?? [], request.seed, faults.badJson);
  if (!request.stream) {
    answerWhenGenerated(context, exchange, res, prepared, faults, vllmAnswer(request, prepared, meta, context.options.reportsUsage, answer));
    return;
  }
  const { lineEnding, chunkBytes } = context.options;
  // vLLM sends no keep-alive comments: a stalled engine is plain silence.
  const sse = new SseWriter(res, exchange.timers, { lineEnding, chunkBytes, keepAliveMs: null });
  sse.open({ 'content-type': 'text/event-stream; charset=utf-8' });
  const framing = { endApart: llama };
  streamTokens(context, exchange, sse, prepared, faults, vllmStreamEvents(request, prepared, meta, context.options.reportsUsage, answer, framing));
}
