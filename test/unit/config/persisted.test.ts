import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { configErrorOf } from './helpers.ts';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'ops.json');
  writeFileSync(path, text);
  return path;
};

describe('PERSISTED_OPERATIONS_FILE and PERSISTED_OPERATIONS_ONLY', () => {
  it('are off by default', () => {
    expect(loadConfig({}).persistedOperations).toBeUndefined();
  });

  it('read a JSON object from id to document', () => {
    const config = loadConfig({ PERSISTED_OPERATIONS_FILE: file('{"a": "{ info { name } }"}'), PERSISTED_OPERATIONS_ONLY: 'yes' });
    expect(config.persistedOperations).toEqual({ documents: new Map([['a', '{ info { name } }']]), only: true });
  });

  it('refuse what would lock every client out or cannot be read', () => {
    expect(configErrorOf(() => loadConfig({ PERSISTED_OPERATIONS_ONLY: 'true' })).message).toMatch(/needs PERSISTED_OPERATIONS_FILE/);
    expect(configErrorOf(() => loadConfig({ PERSISTED_OPERATIONS_FILE: file('nope') })).message).toMatch(/is not JSON/);
    expect(configErrorOf(() => loadConfig({ PERSISTED_OPERATIONS_FILE: file('["{ a }"]') })).message).toMatch(/JSON object from operation id/);
    expect(configErrorOf(() => loadConfig({ PERSISTED_OPERATIONS_FILE: file('{"a": 1}') })).message).toMatch(/operation "a" is not a document/);
  });
});
