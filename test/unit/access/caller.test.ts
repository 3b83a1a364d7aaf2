import { describe, expect, it } from 'vitest';
import { anonymous, mayUse, subjectOf } from '../../../src/access/caller.ts';

describe('subjectOf (what rate limits count an address as)', () => {
  it('counts an IPv4 address, mapped or not, as itself', () => {
    expect(subjectOf('203.0.113.7')).toBe('203.0.113.7');
    expect(subjectOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    expect(subjectOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(subjectOf('2001:DB8:1:2::99')).toBe('2001:db8:1:2::/64');
    expect(subjectOf('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(subjectOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(subjectOf('::1')).toBe('0:0:0:0::/64');
  });

  it('has a name for a socket without an address', () => {
    expect(subjectOf(undefined)).toBe('unknown');
    expect(anonymous(undefined)).toEqual({ kind: 'anonymous', id: 'ip:unknown' });
  });
});

describe('mayUse', () => {
  it('lets anonymous callers and unrestricted keys use any model, restricted keys only theirs', () => {
    expect(mayUse(anonymous('1.2.3.4'), 'm')).toBe(true);
    expect(mayUse({ kind: 'key', id: 'k', models: null }, 'm')).toBe(true);
    expect(mayUse({ kind: 'key', id: 'k', models: new Set(['a']) }, 'a')).toBe(true);
    expect(mayUse({ kind: 'key', id: 'k', models: new Set(['a']) }, 'm')).toBe(false);
  });
});
