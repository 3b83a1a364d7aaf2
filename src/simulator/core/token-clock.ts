// Paces a planned generation: the first token when the engine says (engine.ts: its queue,
// its prefill, then timeToFirstTokenMs), then one every
// timePerTokenMs (read at each step, so setTiming applies to running requests). The
// token-count faults fire where token N+1 would have been produced.

import type { SimulatorContext } from './context.ts';
import type { Exchange } from './exchange.ts';
import type { GenerationFaults } from './faults.ts';
import type { PromptToken } from './tokenizer.ts';

type ClockFault = 'stall' | 'drop' | 'error';

interface ClockHooks {
  /** Token at zero-based `position` is produced. */
  token(position: number): void;
  finished(): void;
  fault(kind: ClockFault): void;
}

/** With several faults due at the same count, a stall wins over a drop over an error. */
function faultAt(position: number, faults: GenerationFaults): ClockFault | null {
  if (faults.stallAfterTokens === position) return 'stall';
  if (faults.dropAfterTokens === position) return 'drop';
  if (faults.errorAfterTokens === position) return 'error';
  return null;
}

export function runTokenClock(
  context: SimulatorContext,
  exchange: Exchange,
  steps: number,
  prompt: readonly PromptToken[],
  faults: GenerationFaults,
  hooks: ClockHooks,
): void {
  const { stats, options } = context;
  const step = (position: number): void => {
    if (exchange.clientGone || exchange.settled) {
      // Cannot happen while timers are cleared on settle; counted to prove it.
      stats.counters.tokensAfterAbort += 1;
      return;
    }
    const fault = faultAt(position, faults);
    if (fault !== null) {
      hooks.fault(fault);
      return;
    }
    stats.counters.tokensGenerated += 1;
    hooks.token(position);
    if (position + 1 >= steps) {
      hooks.finished();
      return;
    }
    // At 0 ms per token, as fast as the event loop turns (a setTimeout would wait 1 ms).
    if (options.timePerTokenMs === 0) exchange.timers.soon(() => step(position + 1));
    else exchange.timers.after(options.timePerTokenMs, () => step(position + 1));
  };
  exchange.holdPlace(context.engine.admit(prompt, exchange.timers, () => step(0)));
}
