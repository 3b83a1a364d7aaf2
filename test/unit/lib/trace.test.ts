import { describe, expect, it } from 'vitest';
import { childTraceparent, parseTraceparent } from '../../../src/lib/trace.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const SHAPE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe('parseTraceparent', () => {
  it('accepts a version-00 traceparent, in any letter case and with surrounding spaces', () => {
    expect(parseTraceparent(PARENT)).toBe(PARENT);
    expect(parseTraceparent(` ${PARENT.toUpperCase()} `)).toBe(PARENT);
  });

  it.each([
    ['missing', undefined],
    ['repeated', [PARENT, PARENT]],
    ['malformed', '00-abc-def-01'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['another version', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ])('refuses one that is %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});

describe('childTraceparent', () => {
  it("continues the caller's trace with a new span of the gateway, keeping its flags", () => {
    const child = childTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(child).toMatch(SHAPE);
    expect(child.slice(3, 35)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(child.slice(36, 52)).not.toBe('00f067aa0ba902b7');
    expect(child.endsWith('-00')).toBe(true);
  });

  it('starts a new sampled trace when the caller sent none', () => {
    const a = childTraceparent(undefined);
    const b = childTraceparent(undefined);
    expect(a).toMatch(SHAPE);
    expect(a.endsWith('-01')).toBe(true);
    expect(a.slice(3, 35)).not.toBe(b.slice(3, 35));
  });
});
