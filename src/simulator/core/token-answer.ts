// Delivers a prepared generation as one response at its end, whatever the protocol: nothing
// is sent before the last token; a drop resets the socket, a stall never answers (the
// client's departure settles it), an error answers the protocol's failure.

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import type { Exchange } from './exchange.ts';
import type { GenerationFaults } from './faults.ts';
import { sendJson } from './http-io.ts';
import { stepCount } from './planner.ts';
import type { PreparedGeneration } from './prepared-generation.ts';
import { runTokenClock } from './token-clock.ts';

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface AnswerWire {
  /** Built when the last token is out, so timing headers can read the clock. */
  success(): Answer;
  /** The generation failed mid-way (errorAfterTokens). */
  failure(): Answer;
}

export function answerWhenGenerated(
  context: SimulatorContext,
  exchange: Exchange,
  res: ServerResponse,
  prepared: PreparedGeneration,
  faults: GenerationFaults,
  wire: AnswerWire,
): void {
  const send = (answer: Answer): void => sendJson(res, answer.status, answer.body, answer.headers);
  runTokenClock(context, exchange, stepCount(prepared.plan), prepared.validated.promptTokens, faults, {
    token: () => {},
    finished: () => {
      const answer = wire.success();
      context.stats.succeeded(prepared.plan.main.tokens.length, (performance.now() - exchange.startedAt) / 1000);
      exchange.settle('completed');
      send(answer);
    },
    fault: (kind) => {
      if (kind === 'drop') {
        exchange.settle('dropped');
        res.destroy();
      } else if (kind === 'error') {
        context.stats.failed('generation');
        exchange.settle('errored');
        send(wire.failure());
      }
    },
  });
}
