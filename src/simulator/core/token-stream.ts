// Delivers a prepared generation as SSE, whatever the protocol: the events only decide the
// payloads; pacing, faults, stats and settling are the same for every streaming route.

import type { SimulatorContext } from './context.ts';
import type { Exchange } from './exchange.ts';
import type { GenerationFaults } from './faults.ts';
import type { PreparedGeneration } from './prepared-generation.ts';
import type { SseWriter } from './sse.ts';
import { runTokenClock } from './token-clock.ts';

/** Each returns the `data:` payloads to send, in order (possibly none). */
export interface StreamEvents {
  /** The token at zero-based `position` was produced. */
  token(position: number): string[];
  /** After the last token's payloads: usage chunks, `[DONE]`. */
  finish(): string[];
  /** The generation failed mid-way (errorAfterTokens). */
  failure(): string[];
}

export function streamTokens(
  context: SimulatorContext,
  exchange: Exchange,
  sse: SseWriter,
  prepared: PreparedGeneration,
  faults: GenerationFaults,
  events: StreamEvents,
): void {
  const generated = prepared.plan.main.tokens.length;
  const sendAll = (payloads: string[]): void => {
    for (const payload of payloads) sse.send(payload);
  };
  runTokenClock(context, exchange, generated, prepared.validated.promptTokens, faults, {
    token: (position) => sendAll(events.token(position)),
    finished: () => {
      sendAll(events.finish());
      sse.end(() => {
        context.stats.succeeded(generated, (performance.now() - exchange.startedAt) / 1000);
        exchange.settle('completed');
      });
    },
    fault: (kind) => {
      if (kind === 'stall') sse.silence();
      else if (kind === 'drop') sse.drop(() => exchange.settle('dropped'));
      else {
        context.stats.failed('generation');
        sendAll(events.failure());
        sse.end(() => exchange.settle('errored'));
      }
    },
  });
}
