import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { Deadlines, type TimeBudgets } from '../../../src/generation/deadlines.ts';

// Real timers with budgets of a few tens of ms: a budget is "run out" after
// LONG ms and "not yet run out" when checked before it. Each test owns its
// Deadlines, so they run concurrently to keep the suite fast.
const SHORT = 20;
const LONG = 60;
const NEVER = 60_000;

const created: Deadlines[] = [];
afterAll(() => {
  for (const deadlines of created.splice(0)) deadlines.dispose();
});

function deadlines(budgets: Partial<TimeBudgets>, client: AbortSignal = new AbortController().signal): Deadlines {
  const made = new Deadlines(client, { firstTokenMs: NEVER, idleMs: NEVER, totalMs: NEVER, ...budgets });
  created.push(made);
  return made;
}

/** The UPSTREAM_TIMEOUT the signal was aborted with; throws when it was not. */
function timeoutOf(signal: AbortSignal): GatewayError {
  if (!signal.aborted) throw new Error('the signal was not aborted');
  const reason: unknown = signal.reason;
  if (!(reason instanceof GatewayError) || reason.code !== 'UPSTREAM_TIMEOUT') throw new Error(`aborted with ${String(reason)}`);
  return reason;
}

describe.concurrent('Deadlines', () => {
  describe('first token', () => {
    it('aborts with UPSTREAM_TIMEOUT when no token arrives within the first-token budget', async ({ expect }) => {
      const d = deadlines({ firstTokenMs: SHORT });
      expect(d.signal.aborted).toBe(false);
      await sleep(LONG);
      expect(timeoutOf(d.signal).message).toContain(`no token within ${SHORT} ms`);
    });

    it('stops counting once started() says the first token is in', async ({ expect }) => {
      const d = deadlines({ firstTokenMs: SHORT });
      d.started();
      await sleep(LONG);
      expect(d.signal.aborted).toBe(false);
    });
  });

  describe('idle', () => {
    it('aborts when the next token is awaited for longer than the idle budget', async ({ expect }) => {
      const d = deadlines({ idleMs: SHORT });
      d.started();
      d.awaitingToken();
      await sleep(LONG);
      expect(timeoutOf(d.signal).message).toContain(`nothing for ${SHORT} ms`);
    });

    it('does not count time the consumer holds a token', async ({ expect }) => {
      const d = deadlines({ idleMs: SHORT });
      d.started();
      d.awaitingToken();
      d.tokenArrived();
      await sleep(LONG); // a slow client: well past the idle budget
      expect(d.signal.aborted).toBe(false);
    });

    it('counts each wait from its own start', async ({ expect }) => {
      const d = deadlines({ idleMs: LONG });
      d.started();
      for (let i = 0; i < 5; i++) {
        d.awaitingToken();
        await sleep(SHORT); // each wait is within budget, their sum is not
        d.tokenArrived();
      }
      expect(d.signal.aborted).toBe(false);
    });

    it('still applies to a wait that starts after the consumer held a token past the idle budget', async ({ expect }) => {
      const d = deadlines({ idleMs: SHORT });
      d.started();
      d.awaitingToken();
      d.tokenArrived();
      await sleep(LONG);
      d.awaitingToken();
      expect(d.signal.aborted).toBe(false);
      await sleep(LONG);
      expect(timeoutOf(d.signal).message).toContain('nothing for');
    });
  });

  describe('total', () => {
    it('aborts a generation that runs past the total budget, however lively its tokens', async ({ expect }) => {
      const d = deadlines({ totalMs: LONG, idleMs: NEVER });
      d.started();
      const until = performance.now() + LONG * 2;
      while (performance.now() < until && !d.signal.aborted) {
        d.awaitingToken();
        await sleep(5);
        d.tokenArrived();
      }
      expect(timeoutOf(d.signal).message).toContain(`longer than ${LONG} ms`);
    });
  });

  describe('client and gateway aborts', () => {
    it('propagates the client\'s abort with the client\'s reason', ({ expect }) => {
      const client = new AbortController();
      const d = deadlines({}, client.signal);
      const reason = new Error('client went away');
      client.abort(reason);
      expect(d.signal.aborted).toBe(true);
      expect(d.signal.reason).toBe(reason);
    });

    it('starts aborted when the client already gave up', ({ expect }) => {
      const reason = new Error('gone');
      const d = deadlines({}, AbortSignal.abort(reason));
      expect(d.signal.aborted).toBe(true);
      expect(d.signal.reason).toBe(reason);
    });

    it('aborts with the gateway\'s own reason on abort()', ({ expect }) => {
      const d = deadlines({});
      const reason = new GatewayError('GATEWAY_SHUTTING_DOWN', 'bye');
      d.abort(reason);
      expect(d.signal.reason).toBe(reason);
    });

    it('keeps the first reason when a timeout fires after an abort', async ({ expect }) => {
      const client = new AbortController();
      const d = deadlines({ firstTokenMs: SHORT }, client.signal);
      client.abort('first');
      await sleep(LONG);
      expect(d.signal.reason).toBe('first');
      d.abort(new GatewayError('GATEWAY_SHUTTING_DOWN', 'late'));
      expect(d.signal.reason).toBe('first');
    });
  });

  describe('dispose', () => {
    it('clears every timer and listener: the signal never fires afterwards', async ({ expect }) => {
      const client = new AbortController();
      const d = deadlines({ firstTokenMs: SHORT, idleMs: SHORT, totalMs: SHORT }, client.signal);
      d.awaitingToken();
      d.dispose();
      await sleep(LONG);
      client.abort(new Error('too late'));
      expect(d.signal.aborted).toBe(false);
    });
  });
});
