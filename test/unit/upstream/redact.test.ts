// The upstream key and a hidden replica address, blotted out of what a server
// says in every form it may give them back.
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/upstream/errors.ts';
import { Redaction } from '../../../src/upstream/redact.ts';
import { parseErrorResponse } from '../../../src/upstream/openai-wire/errors.ts';

const KEY = 'sk-live-5f1d0c9a7b3e4d2f8a6c';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

describe('Redaction of the upstream key', () => {
  const redaction = new Redaction({ apiKey: KEY });

  it.each([
    ['as sent', `bad key ${KEY}`],
    ['in upper case', `BAD KEY ${KEY.toUpperCase()}`],
    ['inside the Authorization header, base64', `header was ${b64(`Bearer ${KEY}`)}`],
    ['base64 at every offset', [0, 1, 2].map((n) => b64(`${'x'.repeat(n)}${KEY}`)).join(' ')],
    ['base64url', `token ${b64url(`Authorization: Bearer ${KEY}?`)}`],
    ['split in two', `key starts ${KEY.slice(0, 14)} and ends ${KEY.slice(14)}`],
    ['broken over lines', `${KEY.slice(0, 10)}\n${KEY.slice(10, 20)}\n${KEY.slice(20)}`],
  ])('is hidden %s', (_how, message) => {
    const cleaned = redaction.clean(message);
    expect(cleaned).toContain('[redacted]');
    expect(cleaned.toLowerCase()).not.toContain(KEY.slice(0, 8).toLowerCase());
    for (const piece of [KEY.slice(0, 14), KEY.slice(14)]) expect(cleaned.toLowerCase()).not.toContain(piece.toLowerCase());
    expect(cleaned).not.toContain(b64(KEY).slice(4, 20));
    expect(redaction.mayShow(message)).toBe(false);
  });

  it('leaves the rest of a message, and a message without it, as they are', () => {
    expect(redaction.clean(`bad key ${KEY}, try again`)).toBe('bad key [redacted], try again');
    expect(redaction.clean('max_tokens is too large')).toBe('max_tokens is too large');
    expect(redaction.mayShow('org/tiny-llm')).toBe(true);
  });

  it('cleans an UpstreamError, and keeps any other value as it is', () => {
    const error = parseErrorResponse(401, JSON.stringify({ error: { message: `bad key ${KEY}` } }), null);
    expect((redaction.error(error) as Error).message).toBe('HTTP 401: bad key [redacted]');
    const plain = new Error(KEY);
    expect(redaction.error(plain)).toBe(plain);
    expect(new Redaction({}).error(error)).toBe(error);
  });
});

describe('Redaction of a hidden replica address', () => {
  const redaction = new Redaction({ address: new URL('http://tgi-3.internal:8080/v1') });

  it('hides host:port and the host name, in any case', () => {
    expect(redaction.clean('cannot reach TGI-3.internal:8080 (tgi-3.internal)')).toBe('cannot reach [redacted] ([redacted])');
    const failure = (redaction.error(new UpstreamError({ kind: 'in-band', errorType: 'validation', message: 'from tgi-3.internal:8080' })) as UpstreamError).failure;
    expect(failure).toMatchObject({ kind: 'in-band', message: 'from [redacted]' });
  });
});
