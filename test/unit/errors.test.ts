import { describe, expect, it } from 'vitest';
import { asGatewayError, badInput, capMessage, ERROR_CODES, errorExtensions, GatewayError, HTTP_STATUS, MAX_MESSAGE_CHARS } from '../../src/errors.ts';
import { allowed, slowestOf } from '../support/timing.ts';

describe('HTTP_STATUS', () => {
  it('gives each code the REST status of API.md', () => {
    expect(HTTP_STATUS).toStrictEqual({
      BAD_USER_INPUT: 422,
      MODEL_NOT_FOUND: 404,
      MODEL_NOT_CONFIGURED: 503,
      UPSTREAM_UNAVAILABLE: 503,
      UPSTREAM_TIMEOUT: 504,
      UPSTREAM_OVERLOADED: 429,
      UPSTREAM_ERROR: 502,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      RATE_LIMITED: 429,
      GATEWAY_SHUTTING_DOWN: 503,
      // Not REST's: resumes are GraphQL only; a status for completeness.
      GENERATION_NOT_FOUND: 404,
      GENERATION_EXPIRED: 410,
      INTERNAL_SERVER_ERROR: 500,
    });
  });

  it('has a status for every error code and for nothing else', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe('GatewayError', () => {
  it('carries its code, message and details', () => {
    const error = new GatewayError('UPSTREAM_OVERLOADED', 'busy', { retryAfterSeconds: 2 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'GatewayError', code: 'UPSTREAM_OVERLOADED', message: 'busy', details: { retryAfterSeconds: 2 } });
    expect(new GatewayError('FORBIDDEN', 'no').details).toEqual({});
  });

  it('badInput names the field at fault', () => {
    expect(badInput('topP', 'topP must be < 1')).toMatchObject({ code: 'BAD_USER_INPUT', message: 'topP must be < 1', details: { field: 'topP' } });
  });
});

describe('asGatewayError', () => {
  it('passes a GatewayError through', () => {
    const error = new GatewayError('MODEL_NOT_FOUND', 'no model');
    expect(asGatewayError(error)).toBe(error);
  });

  it('turns anything else into INTERNAL_SERVER_ERROR without its message', () => {
    for (const thrown of [new Error('secret at http://10.0.0.5:8080'), 'a string', undefined, { code: 'X' }]) {
      const error = asGatewayError(thrown);
      expect(error.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.message).toBe('Unexpected error.');
    }
  });
});

describe('errorExtensions', () => {
  it('holds the code, and the request id when there is one', () => {
    expect(errorExtensions(new GatewayError('UPSTREAM_ERROR', 'x'), undefined)).toStrictEqual({ code: 'UPSTREAM_ERROR' });
    expect(errorExtensions(new GatewayError('UPSTREAM_ERROR', 'x'), 'req-1')).toStrictEqual({ code: 'UPSTREAM_ERROR', requestId: 'req-1' });
  });

  it('adds the field of a BAD_USER_INPUT', () => {
    expect(errorExtensions(badInput('temperature', 'x'), 'r')).toStrictEqual({ code: 'BAD_USER_INPUT', field: 'temperature', requestId: 'r' });
  });

  it('adds retryAfterSeconds, including zero', () => {
    expect(errorExtensions(new GatewayError('RATE_LIMITED', 'x', { retryAfterSeconds: 0 }), undefined))
      .toStrictEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 0 });
  });

  it('never carries the message or a stack', () => {
    const extensions = errorExtensions(new GatewayError('INTERNAL_SERVER_ERROR', 'boom'), 'r');
    expect(Object.keys(extensions).sort()).toEqual(['code', 'requestId']);
  });
});

describe('capMessage', () => {
  it('leaves ordinary messages alone', () => {
    const message = 'Variable "$i" got invalid value "abc" at "i.maxNewTokens"; Int cannot represent non-integer value: "abc"';
    expect(capMessage(message)).toBe(message);
  });

  it('shortens long quoted values, keeping what the message says', () => {
    const value = 'x'.repeat(10_000);
    const capped = capMessage(`Variable "$i" got invalid value "${value}" at "i.n"; Int cannot represent non-integer value: "${value}"`);
    expect(capped).toBe(`Variable "$i" got invalid value "${'x'.repeat(64)}…" at "i.n"; Int cannot represent non-integer value: "${'x'.repeat(64)}…"`);
  });

  it('reads escaped quotes as part of the value', () => {
    const value = `${'a\\"'.repeat(40)}`;
    expect(capMessage(`got "${value}" here`)).toBe(`got "${value.slice(0, 64)}…" here`);
  });

  it('keeps the start and the end of a message that is long without quotes', () => {
    const capped = capMessage(`start ${'y'.repeat(5000)} end`);
    expect(capped.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(capped).toMatch(/^start y+ … y+ end$/);
  });

  it('never splits a surrogate pair', () => {
    expect(capMessage(`"a${'😀'.repeat(100)}"`)).toBe(`"a${'😀'.repeat(31)}…"`);
    expect(capMessage('😀'.repeat(2000))).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('takes linear time on text built to make a regex backtrack', async () => {
    const baits = ['"Did you mean '.repeat(50_000), `${'\\'.repeat(100_000)}"`];
    // Judged against text of the same lengths that gives a regex nothing to backtrack on, timed in
    // this run: backtracking on 700 KB takes minutes, not a few times as long.
    const plain = baits.map((bait) => `"${'x'.repeat(bait.length - 1)}`);
    const baseline = await slowestOf(3, () => plain.forEach((text) => capMessage(text)));
    expect(await slowestOf(1, () => baits.forEach((text) => capMessage(text)))).toBeLessThan(allowed(baseline));
  });

  it('caps every GatewayError message', () => {
    expect(new GatewayError('MODEL_NOT_FOUND', `no model "${'m'.repeat(5000)}"`).message).toBe(`no model "${'m'.repeat(64)}…"`);
  });
});
