import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../../../src/access/keys.ts';
import { createCallers } from '../../../../src/transport/guards/callers.ts';

const request = (forwarded: string | undefined, remoteAddress = '10.0.0.9') =>
  ({ headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }, socket: { remoteAddress } }) as unknown as IncomingMessage;
const idOf = (callers: ReturnType<typeof createCallers>, req: IncomingMessage) => {
  const identified = callers.ofRequest(req);
  return identified.ok ? identified.caller.id : identified.reason;
};

describe('the client address rate limits count', () => {
  const trusting = createCallers(new KeyRing([]), true);

  it('is the socket\'s peer unless TRUST_PROXY is set', () => {
    expect(idOf(createCallers(new KeyRing([]), false), request('203.0.113.7'))).toBe('ip:10.0.0.9');
  });

  it('behind a trusted proxy, is the address the proxy appended: the last, never one the client wrote', () => {
    expect(idOf(trusting, request('203.0.113.7'))).toBe('ip:203.0.113.7');
    expect(idOf(trusting, request('10.0.0.1, 10.0.0.2, 203.0.113.7'))).toBe('ip:203.0.113.7');
    expect(idOf(trusting, request('1.1.1.1,203.0.113.8'))).toBe('ip:203.0.113.8');
  });

  it('falls back to the peer when the header holds no address', () => {
    expect(idOf(trusting, request('x'.repeat(10_000)))).toBe('ip:10.0.0.9');
    expect(idOf(trusting, request(''))).toBe('ip:10.0.0.9');
    expect(idOf(trusting, request(undefined))).toBe('ip:10.0.0.9');
  });
});
