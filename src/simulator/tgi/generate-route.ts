// TGI's non-stream routes (POST /generate, POST / without stream, and the Messages API
// without stream): nothing is sent until the generation is over, then one JSON body with
// TGI's timing headers, or a JSON error with its status.

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from '../core/context.ts';
import { Exchange } from '../core/exchange.ts';
import type { GenerationFaults } from '../core/faults.ts';
import type { PreparedGeneration } from '../core/prepared-generation.ts';
import { answerWhenGenerated } from '../core/token-answer.ts';
import { GENERATION_FAILED, sendError, statusOf } from './errors.ts';
import type { GenerationRequest } from './generate-request.ts';
import { COMPUTE_TYPE } from './identity.ts';
import { isPrepared, prepareGeneration } from './pipeline.ts';

/** The success body of one TGI route. */
export type RenderBody = (prepared: PreparedGeneration) => unknown;

export function runGenerate(
  context: SimulatorContext,
  res: ServerResponse,
  request: GenerationRequest,
  faults: GenerationFaults,
  render: RenderBody,
): void {
  const exchange = new Exchange(context, res, 'generation');
  const prepared = prepareGeneration(context, exchange, request, false, faults);
  if (!isPrepared(prepared)) {
    exchange.settle('errored');
    sendError(res, statusOf(prepared), prepared);
    return;
  }
  answerWhenGenerated(context, exchange, res, prepared, faults, {
    success: () => ({ status: 200, body: render(prepared), headers: timingHeaders(exchange, prepared, [...request.inputs].length) }),
    failure: () => ({ status: statusOf(GENERATION_FAILED), body: GENERATION_FAILED }),
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
