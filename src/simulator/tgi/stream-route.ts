// TGI's streaming routes (POST /generate_stream, POST / with stream, and the Messages API
// with stream): 200 and SSE headers at once, then tokens, and every failure in-band.

import type { ServerResponse } from 'node:http';
import type { WireError } from '../../upstream/tgi/wire.ts';
import type { SimulatorContext } from '../core/context.ts';
import { Exchange } from '../core/exchange.ts';
import type { GenerationFaults } from '../core/faults.ts';
import type { PreparedGeneration } from '../core/prepared-generation.ts';
import { SseWriter } from '../core/sse.ts';
import { streamTokens, type StreamEvents } from '../core/token-stream.ts';
import type { GenerationRequest } from './generate-request.ts';
import { COMPUTE_TYPE } from './identity.ts';
import { isPrepared, prepareGeneration } from './pipeline.ts';

/** How one TGI route writes its stream. */
export interface StreamWire {
  /** In-band answer to a request refused before its first token (validation, overload). */
  rejected(error: WireError): string[];
  events(prepared: PreparedGeneration): StreamEvents;
}

export function runStream(
  context: SimulatorContext,
  res: ServerResponse,
  request: GenerationRequest,
  faults: GenerationFaults,
  wire: StreamWire,
): void {
  const exchange = new Exchange(context, res, 'stream');
  const { lineEnding, chunkBytes, keepAliveMs } = context.options;
  const sse = new SseWriter(res, exchange.timers, { lineEnding, chunkBytes, keepAliveMs });
  sse.open({ 'x-compute-type': COMPUTE_TYPE, 'x-compute-characters': String([...request.inputs].length) });
  const prepared = prepareGeneration(context, exchange, request, true, faults);
  if (!isPrepared(prepared)) {
    for (const payload of wire.rejected(prepared)) sse.send(payload);
    sse.end(() => exchange.settle('errored'));
    return;
  }
  streamTokens(context, exchange, sse, prepared, faults, wire.events(prepared));
}
