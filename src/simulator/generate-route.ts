// POST /generate (and POST / without stream): nothing is sent until the generation is over,
// then one JSON body with TGI's timing headers, or a JSON error with its status.

import type { ServerResponse } from 'node:http';
import type { WireError } from '../tgi/wire.ts';
import { COMPUTE_TYPE, type SimulatorContext } from './context.ts';
import { Exchange } from './exchange.ts';
import type { GenerationFaults } from './faults.ts';
import { sendError, sendJson } from './http-io.ts';
import { isPrepared, prepareGeneration, type PreparedGeneration } from './pipeline.ts';
import { stepCount } from './planner.ts';
import type { GenerationRequest } from './request-decoder.ts';
import { GENERATION_FAILED, failureLabel, statusOf } from './tgi-errors.ts';
import { runTokenClock } from './token-clock.ts';
import { generateBody } from './wire-bodies.ts';

/** `compat` wraps the success body in a one-element array, as `POST /` does. */
export function runGenerate(
  context: SimulatorContext,
  res: ServerResponse,
  request: GenerationRequest,
  returnFullText: boolean,
  faults: GenerationFaults,
  compat: boolean,
): void {
  const exchange = new Exchange(context, res, 'generation');
  const fail = (error: WireError): void => {
    exchange.settle('errored');
    sendError(res, statusOf(error), error);
  };
  const prepared = prepareGeneration(context, exchange, request, false, faults);
  if (!isPrepared(prepared)) {
    fail(prepared);
    return;
  }
  runTokenClock(context, exchange, stepCount(prepared.plan), faults, {
    token: () => {},
    finished: () => {
      const body = generateBody(
        {
          inputs: request.inputs,
          returnFullText,
          details: request.parameters.details,
          decoderInputDetails: request.parameters.decoderInputDetails,
          promptTokens: prepared.validated.promptTokens,
        },
        prepared.plan,
      );
      const headers = timingHeaders(exchange, prepared, [...request.inputs].length);
      context.stats.succeeded(prepared.plan.main.tokens.length, (performance.now() - exchange.startedAt) / 1000);
      exchange.settle('completed');
      sendJson(res, 200, compat ? [body] : body, headers);
    },
    fault: (kind) => {
      if (kind === 'drop') {
        exchange.settle('dropped');
        res.destroy();
      } else if (kind === 'error') {
        context.stats.failed(failureLabel(GENERATION_FAILED));
        fail(GENERATION_FAILED);
      }
      // A stall simply never answers; the client's departure settles the exchange.
    },
  });
}

function timingHeaders(exchange: Exchange, prepared: PreparedGeneration, characters: number): Record<string, string> {
  const now = performance.now();
  const generatedTokens = prepared.plan.main.tokens.length;
  const totalMs = now - exchange.startedAt;
  const validationMs = prepared.validatedAt - exchange.startedAt;
  const inferenceMs = now - prepared.validatedAt;
  return {
    'x-compute-type': COMPUTE_TYPE,
    'x-compute-time': (totalMs / 1000).toFixed(9),
    'x-compute-characters': String(characters),
    'x-total-time': String(Math.floor(totalMs)),
    'x-validation-time': String(Math.floor(validationMs)),
    'x-queue-time': '0',
    'x-inference-time': String(Math.floor(inferenceMs)),
    'x-time-per-token': String(Math.floor(inferenceMs / Math.max(1, generatedTokens))),
    'x-prompt-tokens': String(prepared.validated.inputLength),
    'x-generated-tokens': String(generatedTokens),
  };
}
