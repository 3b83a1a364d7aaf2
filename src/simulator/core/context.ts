// State shared by every route of one simulator instance.

import type { Socket } from 'node:net';
import type { Engine } from './engine.ts';
import type { Exchange } from './exchange.ts';
import type { FaultBoard } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import type { Semaphore } from './semaphore.ts';
import type { StatsRecorder } from './stats.ts';
import type { SimulatorOptions } from './types.ts';

export interface SimulatorContext {
  /** Timing fields change at runtime through setTiming. */
  options: SimulatorOptions;
  faults: FaultBoard;
  stats: StatsRecorder;
  requests: RequestLog;
  semaphore: Semaphore;
  /** The running batch, its queue, the prefill and the prefix cache. */
  engine: Engine;
  /** Generation requests not yet settled, so close() can stop their timers. */
  exchanges: Set<Exchange>;
  sockets: Set<Socket>;
  /** Unix seconds at start: the `created` of the model vLLM lists. */
  startedAt: number;
  /** Counter behind the ids of OpenAI-style responses, deterministic per instance. */
  nextResponseId: number;
}
