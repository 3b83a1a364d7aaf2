// A subscription ended by return() alone, with the operation's signal never
// fired (yoga over SSE may call return() before, or without, aborting the
// request's signal), still stops its generation upstream at once, even while
// a read from the model server is pending: a native async generator would
// queue that return() behind the read (the "stalled return()" trap).
import { afterEach, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/access/caller.ts';
import type { SimulatorOptions } from '../../src/simulator/index.ts';
import type { GatewayContext } from '../../src/schema/context.ts';
import { relayStream } from '../../src/schema/stream-relay.ts';
import { eventually, settled, startStack, type Stack } from '../e2e/harness.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function subscription(simulator: Partial<SimulatorOptions>) {
  stack = await startStack(simulator);
  const { services } = stack.app;
  const ctx: GatewayContext = {
    services,
    signal: new AbortController().signal, // never fires: only return() says the client left
    requestId: 'relay-return',
    caller: anonymous('127.0.0.1'),
    traceparent: undefined,
    transport: 'sse',
  };
  const input = { modelId: 'sim', prompt: 'Hello', maxNewTokens: 50 };
  const prepared = await services.generation.prepare(input, { caller: ctx.caller, requestId: ctx.requestId, operation: 'generateStream', transport: 'sse' });
  return { sim: stack.simulators[0]!, relay: relayStream(ctx, 'sim', services.generation.generateStream(prepared, ctx.signal)) };
}

/** How long the model server holds the token a pending read waits for. */
const STALL_MS = 5000;

/**
 * return() while next() waits on the model server: both settle at once, and nothing runs upstream.
 * "At once" is judged against the stall, not a wall-clock budget: a return() queued behind the read
 * would settle only when the token comes, STALL_MS after the read began.
 */
async function returnWhileReading(relay: AsyncIterator<unknown>, stack: Stack): Promise<void> {
  const pending = relay.next();
  await eventually(() => stack.simulators[0]!.stats().activeStreams === 1, 2000, 'the stream to reach the simulator');
  const started = performance.now();
  await relay.return!();
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(performance.now() - started).toBeLessThan(STALL_MS / 2);
  await eventually(() => stack.simulators[0]!.stats().abortedStreams === 1, STALL_MS / 2, 'the simulator to see the stream aborted');
  expect(stack.app.services.generation.activeGenerations).toBe(0);
  await settled(stack.app, stack.simulators);
}

describe('a subscription ended by return() alone', () => {
  it('aborts upstream at once while its first token is awaited', async () => {
    const { relay } = await subscription({ timeToFirstTokenMs: STALL_MS });
    await returnWhileReading(relay, stack!);
  });

  it('aborts upstream at once while a later token is awaited', async () => {
    const { relay, sim } = await subscription({ timeToFirstTokenMs: 1, timePerTokenMs: STALL_MS });
    expect((await relay.next()).done).toBe(false);
    expect(sim.stats().activeStreams).toBe(1);
    await returnWhileReading(relay, stack!);
  });

  it('between two events (the consumer held one): ends the generation and stops upstream', async () => {
    const { relay, sim } = await subscription({ timeToFirstTokenMs: 1, timePerTokenMs: 20 });
    expect((await relay.next()).done).toBe(false);
    await relay.return!();
    // Counted as aborted only if the abort came before the generation's end (50 tokens, 1 s): the
    // wait bounds how long a failure takes to show, not how fast the abort travels.
    await eventually(() => sim.stats().abortedStreams === 1, 5000, 'the simulator to see the stream aborted');
    expect(stack!.app.services.generation.activeGenerations).toBe(0);
    expect(sim.stats().tokensAfterAbort).toBe(0);
    await settled(stack!.app, stack!.simulators);
  });
});
