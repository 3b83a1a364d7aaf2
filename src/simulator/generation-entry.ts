// Front door of the three generation routes: injected faults first, then the body
// rejections axum makes before TGI's handler, then the stream or non-stream handler.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { WireError } from '../tgi/wire.ts';
import type { SimulatorContext } from './context.ts';
import { Exchange } from './exchange.ts';
import { hasGenerationFault } from './faults.ts';
import { runGenerate } from './generate-route.ts';
import { readJsonBody, sendError, sendText } from './http-io.ts';
import { parseJson } from './json-parser.ts';
import type { JsonValue } from './json.ts';
import { decodeGenerationRequest } from './request-decoder.ts';
import { runStream } from './stream-route.ts';
import { GENERATION_FAILED, INCOMPLETE_GENERATION, OVERLOADED } from './tgi-errors.ts';

export type GenerationRoute = 'generate' | 'stream' | 'compat';

/** The body an injected `httpStatus` fault answers with. */
function faultError(status: number): WireError {
  if (status === 500) return INCOMPLETE_GENERATION;
  if (status === 429) return OVERLOADED;
  if (status === 424) return GENERATION_FAILED;
  return { error: STATUS_CODES[status] ?? 'Error', error_type: `http_${status}` };
}

export async function handleGeneration(
  context: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: GenerationRoute,
): Promise<void> {
  const { 'x-request-id': requestId, traceparent } = req.headers;
  context.stats.lastGenerationHeaders = {
    ...(typeof requestId === 'string' ? { 'x-request-id': requestId } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
  const faults = context.faults.takeForRequest();
  if (hasGenerationFault(faults)) context.stats.counters.faultedRequests += 1;
  if (faults.refuseConnections) {
    context.stats.counters.refusedConnections += 1;
    req.socket.destroy();
    return;
  }
  const body = await readJsonBody(req);
  if (body.kind === 'gone') return;
  if (body.kind === 'rejected') {
    sendText(res, body.status, body.message);
    return;
  }
  let json: JsonValue;
  try {
    json = parseJson(body.text);
  } catch (error) {
    sendText(res, 400, `Failed to parse the request body as JSON: ${(error as Error).message}`);
    return;
  }
  const decoded = decodeGenerationRequest(json, route === 'compat');
  if (!decoded.ok) {
    sendText(res, 422, `Failed to deserialize the JSON body into the target type: ${decoded.message}`);
    return;
  }
  const request = decoded.request;
  context.stats.lastGenerationSeed = request.parameters.seed?.toString() ?? null;
  const streaming = route === 'stream' || (route === 'compat' && request.stream);
  if (faults.stallBeforeHeaders) {
    // Held open without a byte of answer; settled as aborted when the client leaves.
    new Exchange(context, res, streaming ? 'stream' : 'generation');
    return;
  }
  if (faults.httpStatus !== undefined) {
    sendError(res, faults.httpStatus, faultError(faults.httpStatus));
    return;
  }
  context.stats.prometheus.requestCount += 1;
  // POST / echoes the prompt by default for text-generation models.
  const returnFullText = request.parameters.returnFullText ?? route === 'compat';
  if (streaming) runStream(context, res, request, returnFullText, faults);
  else runGenerate(context, res, request, returnFullText, faults, route === 'compat');
}
