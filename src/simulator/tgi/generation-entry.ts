// Front door of TGI's generation routes: injected faults first, then the body rejections
// axum makes before TGI's handler, then the stream or non-stream handler.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { WireError } from '../../upstream/tgi/wire.ts';
import type { SimulatorContext } from '../core/context.ts';
import { Exchange } from '../core/exchange.ts';
import { admitGeneration } from '../core/front-door.ts';
import { readJsonBody, sendText } from '../core/http-io.ts';
import { parseJson } from '../core/json-parser.ts';
import type { GenerationFaults } from '../core/faults.ts';
import type { JsonValue } from '../core/json.ts';
import { GENERATION_FAILED, INCOMPLETE_GENERATION, OVERLOADED, sendError } from './errors.ts';
import { runGenerate } from './generate-route.ts';
import type { GenerationJob } from './generation-job.ts';
import { messagesJob } from './messages-job.ts';
import { nativeJob } from './native-job.ts';
import { runStream } from './stream-route.ts';

type GenerationRoute = 'generate' | 'stream' | 'compat' | 'chat' | 'completions';

/** The body an injected `httpStatus` fault answers with. */
function faultError(status: number): WireError {
  if (status === 500) return INCOMPLETE_GENERATION;
  if (status === 429) return OVERLOADED;
  if (status === 424) return GENERATION_FAILED;
  return { error: STATUS_CODES[status] ?? 'Error', error_type: `http_${status}` };
}

function jobFor(
  context: SimulatorContext,
  json: JsonValue,
  route: GenerationRoute,
  faults: GenerationFaults,
): GenerationJob | { error: string } | { refusal: WireError } {
  if (route === 'chat') return messagesJob(context, json, 'chat', faults);
  if (route === 'completions') return messagesJob(context, json, 'completion', faults);
  return nativeJob(json, route);
}

export async function handleGeneration(
  context: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: GenerationRoute,
): Promise<void> {
  const faults = admitGeneration(context, req);
  if (faults === null) return;
  const body = await readJsonBody(req);
  if (body.kind === 'gone') return;
  if (body.kind === 'rejected') {
    sendText(res, body.status, body.message);
    return;
  }
  context.requests.attachBody(req, body.text);
  let json: JsonValue;
  try {
    json = parseJson(body.text);
  } catch (error) {
    sendText(res, 400, `Failed to parse the request body as JSON: ${(error as Error).message}`);
    return;
  }
  const job = jobFor(context, json, route, faults);
  if ('refusal' in job) {
    sendError(res, 422, job.refusal);
    return;
  }
  if ('error' in job) {
    sendText(res, 422, `Failed to deserialize the JSON body into the target type: ${job.error}`);
    return;
  }
  const { request, streaming } = job;
  context.stats.lastGenerationSeed = request.parameters.seed?.toString() ?? null;
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
  if (streaming) runStream(context, res, request, faults, job.stream);
  else runGenerate(context, res, request, faults, job.render);
}
