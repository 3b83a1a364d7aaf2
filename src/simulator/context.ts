// State shared by every route of one simulator instance.

import type { Socket } from 'node:net';
import type { Exchange } from './exchange.ts';
import type { FaultBoard } from './faults.ts';
import type { Semaphore } from './semaphore.ts';
import type { StatsRecorder } from './stats.ts';
import type { SimulatorOptions } from './types.ts';

export interface SimulatorContext {
  /** Timing fields change at runtime through setTiming. */
  options: SimulatorOptions;
  faults: FaultBoard;
  stats: StatsRecorder;
  semaphore: Semaphore;
  /** Generation requests not yet settled, so close() can stop their timers. */
  exchanges: Set<Exchange>;
  sockets: Set<Socket>;
}

/** TGI reports the COMPUTE_TYPE env of its container; this is its default. */
export const COMPUTE_TYPE = 'gpu+optimized';
