import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import type { Expiry } from '../../../src/generation/deadlines.ts';
import { judgeFailure, type FailureContext } from '../../../src/generation/failures.ts';
import { UpstreamError } from '../../../src/upstream/errors.ts';

const timeout = new GatewayError('UPSTREAM_TIMEOUT', 'too slow');
const running: AbortSignal = new AbortController().signal;
const cut = (reason: unknown = timeout): AbortSignal => AbortSignal.abort(reason);
const context = (over: Partial<FailureContext> = {}): FailureContext => ({ signal: running, expired: undefined, streaming: true, modelId: 'llama', ...over });

describe('judgeFailure', () => {
  describe('a generation whose signal fired', () => {
    it('tells the client the signal\'s own reason, whatever the call failed with', () => {
      const failure = judgeFailure(new UpstreamError({ kind: 'reset', detail: 'aborted' }), context({ signal: cut(), expired: 'total' }));
      expect(failure).toEqual({ kind: 'cut', error: timeout, blamesReplica: false });
    });

    it.each([
      ['idle', true, true],
      ['idle', false, true],
      ['firstToken', true, true],
      // A unary answer comes whole: taking long is no sign of a broken server.
      ['firstToken', false, false],
      ['total', true, false],
      ['shutdown', true, false],
      [undefined, true, false],
    ] satisfies [Expiry | undefined, boolean, boolean][])('when %s ran out (streaming: %s), blames the replica: %s', (expired, streaming, blames) => {
      expect(judgeFailure(new Error('aborted'), context({ signal: cut(), expired, streaming })).blamesReplica).toBe(blames);
    });

    it('does not blame a replica whose first token was late while requests were queued ahead of it: busy is not broken', () => {
      expect(judgeFailure(new Error('aborted'), context({ signal: cut(), expired: 'firstToken', queued: true })).blamesReplica).toBe(false);
      expect(judgeFailure(new Error('aborted'), context({ signal: cut(), expired: 'idle', queued: true })).blamesReplica).toBe(true);
    });

    it('does not blame the replica for a client that left', () => {
      const left = new DOMException('gone', 'AbortError');
      expect(judgeFailure(left, context({ signal: cut(left) }))).toEqual({ kind: 'cut', error: left, blamesReplica: false });
    });
  });

  describe('a server that failed because of the request', () => {
    it("is BAD_USER_INPUT in the server's words, never blamed, and retryable (the caller asks once more at most)", () => {
      const http = new UpstreamError({ kind: 'http', status: 500, errorType: 'request', message: 'context shift is disabled', retryAfterSeconds: null });
      const failure = judgeFailure(http, context());
      expect(failure).toMatchObject({ kind: 'upstream', blamesReplica: false, retryable: true, requestTied: true });
      expect(failure.error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'context shift is disabled' });
      const inBand = new UpstreamError({ kind: 'in-band', errorType: 'request', message: 'context shift is disabled' });
      expect(judgeFailure(inBand, context())).toMatchObject({ blamesReplica: false, requestTied: true });
    });

    it('is still blamed when a 500 is not one the dialect knows as request-tied', () => {
      const http = new UpstreamError({ kind: 'http', status: 500, errorType: null, message: 'CUDA out of memory', retryAfterSeconds: null });
      expect(judgeFailure(http, context())).toMatchObject({ blamesReplica: true, requestTied: false });
    });
  });

  describe('a server that failed', () => {
    it('is told in the gateway\'s words, blamed, and retryable when nothing reached it', () => {
      const failure = judgeFailure(new UpstreamError({ kind: 'connect', detail: 'connection refused' }), context());
      expect(failure).toMatchObject({ kind: 'upstream', blamesReplica: true, retryable: true });
      expect(failure.error).toBeInstanceOf(GatewayError);
      expect((failure.error as GatewayError).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('is not blamed for overload, which another replica may take', () => {
      const failure = judgeFailure(new UpstreamError({ kind: 'in-band', errorType: 'overloaded', message: 'busy' }), context());
      expect(failure).toMatchObject({ kind: 'upstream', blamesReplica: false, retryable: true });
    });

    it('is blamed for a stream cut short, the same before the first token and after', () => {
      const broken = new UpstreamError({ kind: 'broken', detail: 'ECONNRESET', connectionLost: true });
      expect(judgeFailure(broken, context({ streaming: true }))).toMatchObject({ kind: 'upstream', blamesReplica: true });
      expect(judgeFailure(broken, context({ streaming: false }))).toMatchObject({ kind: 'upstream', blamesReplica: true });
    });
  });

  it('passes on a failure that is nobody\'s upstream, blaming no replica', () => {
    const bug = new TypeError('a bug of ours');
    expect(judgeFailure(bug, context())).toEqual({ kind: 'internal', error: bug, blamesReplica: false });
  });
});
