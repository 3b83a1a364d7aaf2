// POST /generate_stream (and POST / with stream: true): 200 and SSE headers at once, then
// tokens, and every failure as one in-band `{"error","error_type"}` event.

import type { ServerResponse } from 'node:http';
import type { WireError } from '../tgi/wire.ts';
import { COMPUTE_TYPE, type SimulatorContext } from './context.ts';
import { Exchange } from './exchange.ts';
import type { GenerationFaults } from './faults.ts';
import { stringifyJson } from './json.ts';
import { isPrepared, prepareGeneration } from './pipeline.ts';
import type { GenerationRequest } from './request-decoder.ts';
import { SseWriter } from './sse.ts';
import { GENERATION_FAILED, failureLabel } from './tgi-errors.ts';
import { runTokenClock } from './token-clock.ts';
import { streamEvent, type BodyRequest } from './wire-bodies.ts';

export function runStream(
  context: SimulatorContext,
  res: ServerResponse,
  request: GenerationRequest,
  returnFullText: boolean,
  faults: GenerationFaults,
): void {
  const exchange = new Exchange(context, res, 'stream');
  const { lineEnding, chunkBytes, keepAliveMs } = context.options;
  const sse = new SseWriter(res, exchange.timers, { lineEnding, chunkBytes, keepAliveMs });
  sse.open({ 'x-compute-type': COMPUTE_TYPE, 'x-compute-characters': String([...request.inputs].length) });
  const failInBand = (error: WireError): void => {
    sse.send(stringifyJson(error));
    sse.end(() => exchange.settle('errored'));
  };
  const prepared = prepareGeneration(context, exchange, request, true, faults);
  if (!isPrepared(prepared)) {
    failInBand(prepared);
    return;
  }
  const { validated, plan } = prepared;
  const body: BodyRequest = {
    inputs: request.inputs,
    returnFullText,
    details: request.parameters.details,
    decoderInputDetails: false,
    promptTokens: validated.promptTokens,
  };
  runTokenClock(context, exchange, plan.main.tokens.length, faults, {
    token: (position) => sse.send(stringifyJson(streamEvent(body, plan, position, validated.inputLength))),
    finished: () =>
      sse.end(() => {
        context.stats.succeeded(plan.main.tokens.length, (performance.now() - exchange.startedAt) / 1000);
        exchange.settle('completed');
      }),
    fault: (kind) => {
      if (kind === 'stall') sse.silence();
      else if (kind === 'drop') sse.drop(() => exchange.settle('dropped'));
      else {
        context.stats.failed(failureLabel(GENERATION_FAILED));
        failInBand(GENERATION_FAILED);
      }
    },
  });
}
