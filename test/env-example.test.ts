// .env.example is a working configuration: it parses, and declares the
// original backend's three models.
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';

describe('.env.example', () => {
  const env = parse(readFileSync(new URL('../.env.example', import.meta.url)));

  it('is a valid configuration', () => {
    expect(() => loadConfig(env)).not.toThrow();
  });

  it("declares the original backend's models, gpt-2 backed by gpt2", () => {
    const models = loadConfig(env).models;
    expect(models.map((m) => m.id).sort()).toEqual(['gpt-2', 'mistral', 'tinyllama']);
    expect(models.find((m) => m.id === 'gpt-2')!.hfName).toBe('gpt2');
    expect(models.find((m) => m.id === 'mistral')!.endpoints).toEqual([]);
  });
});
