import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { KeyRing } from '../../../src/access/keys.ts';
import { configErrorOf } from './helpers.ts';

const sha = (key: string) => createHash('sha256').update(key).digest();
const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys');
  writeFileSync(path, text);
  return path;
};

describe('API_KEYS and API_KEYS_FILE', () => {
  it('are off by default', () => {
    expect(loadConfig({}).apiKeys).toEqual([]);
  });

  it('keep each key as its SHA-256 digest, with the models it is limited to', () => {
    const { apiKeys } = loadConfig({ API_KEYS: 'sk-aaaaaaaaaaaaaaaa, sk-bbbbbbbbbbbbbbbb:gpt-2|tinyllama ,' });
    expect(apiKeys).toEqual([
      { digest: sha('sk-aaaaaaaaaaaaaaaa'), models: null },
      { digest: sha('sk-bbbbbbbbbbbbbbbb'), models: ['gpt-2', 'tinyllama'] },
    ]);
  });

  it('read a file of keys or sha256: digests, with models after whitespace and # comments', () => {
    const digest = sha('sk-cccccccccccccccc').toString('hex');
    const path = file(`# keys\nsk-dddddddddddddddd\n\n  sha256:${digest.toUpperCase()}\tm1|m2  # two models\r\n`);
    const { apiKeys } = loadConfig({ API_KEYS: 'sk-aaaaaaaaaaaaaaaa', API_KEYS_FILE: path });
    expect(apiKeys).toEqual([
      { digest: sha('sk-aaaaaaaaaaaaaaaa'), models: null },
      { digest: sha('sk-dddddddddddddddd'), models: null },
      { digest: sha('sk-cccccccccccccccc'), models: ['m1', 'm2'] },
    ]);
  });

  it('refuse short keys, unreadable files, bad lines and keys limited to undeclared models, never quoting a key', () => {
    expect(configErrorOf(() => loadConfig({ API_KEYS: 'short' })).message).toMatch(/^API_KEYS: a key must be 16 to 512 printable ASCII characters/);
    expect(configErrorOf(() => loadConfig({ API_KEYS: 'sk-aaaaaaaaaaaaaaaa:' })).message).toMatch(/API_KEYS: a key limited to models needs at least one model id/);
    expect(configErrorOf(() => loadConfig({ API_KEYS_FILE: '/nonexistent/keys' })).message).toMatch(/^API_KEYS_FILE cannot be read \(ENOENT\)/);
    expect(configErrorOf(() => loadConfig({ API_KEYS_FILE: file('sk-aaaaaaaaaaaaaaaa m1 extra\n') })).message).toMatch(/^API_KEYS_FILE line 1: expected/);
    expect(configErrorOf(() => loadConfig({ API_KEYS: 'sk-aaaaaaaaaaaaaaaa:nope', TGI_GPT2_ENDPOINT: 'http://localhost:8080' })).message).toMatch(/limited to model "nope", which is not declared/);
    expect(configErrorOf(() => loadConfig({ API_KEYS: 'sk-secret-but-bad key' })).message).not.toMatch(/secret/);
  });
});

describe('KeyRing', () => {
  const ring = new KeyRing(loadConfig({ API_KEYS: 'sk-aaaaaaaaaaaaaaaa,sk-bbbbbbbbbbbbbbbb:m1' }).apiKeys);

  it('names a key by a fingerprint of its digest, never by the key', () => {
    const identified = ring.identify('sk-bbbbbbbbbbbbbbbb');
    expect(identified).toEqual({ ok: true, caller: { kind: 'key', id: `key:${sha('sk-bbbbbbbbbbbbbbbb').toString('hex').slice(0, 12)}`, models: new Set(['m1']) } });
  });

  it('tells a missing key from an unknown one', () => {
    expect(ring.identify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(ring.identify('')).toEqual({ ok: false, reason: 'missing' });
    expect(ring.identify('sk-aaaaaaaaaaaaaaab')).toEqual({ ok: false, reason: 'unknown' });
  });
});
