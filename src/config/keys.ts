// API keys as the operator declares them: API_KEYS (`key` or `key:model|model`,
// comma separated) and API_KEYS_FILE (one `key` or `sha256:<hex>` per line,
// optionally followed by whitespace and `model|model`; `#` starts a comment).
// Only their SHA-256 digests are kept: the keys themselves leave no trace in memory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, readOptionalString, type Env } from './env-parsers.ts';

export interface ApiKeyConfig {
  /** SHA-256 of the key. */
  digest: Buffer;
  /** The models this key may use; null = every model. */
  models: readonly string[] | null;
}

/** Short enough to type, long enough that no one guesses one: 16 to 512 printable characters. */
const KEY = /^[\x21-\x7e]{16,512}$/;
const DIGEST = /^sha256:([0-9a-f]{64})$/i;

export const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

export function readApiKeys(env: Env): ApiKeyConfig[] {
  const keys: ApiKeyConfig[] = [];
  for (const entry of (readOptionalString(env, 'API_KEYS') ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const colon = trimmed.indexOf(':');
    const key = colon === -1 ? trimmed : trimmed.slice(0, colon);
    keys.push({ digest: plainKey('API_KEYS', key), models: colon === -1 ? null : modelList('API_KEYS', trimmed.slice(colon + 1)) });
  }
  const file = readOptionalString(env, 'API_KEYS_FILE');
  if (file !== undefined) keys.push(...readKeysFile(file));
  return keys;
}

function readKeysFile(path: string): ApiKeyConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`API_KEYS_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${path}`);
  }
  const keys: ApiKeyConfig[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const where = `API_KEYS_FILE line ${index + 1}`;
    const [key = '', models, extra] = line.split(/\s+/);
    if (extra !== undefined) throw new ConfigError(`${where}: expected "<key or sha256:hex> [model|model...]"`);
    const digest = DIGEST.exec(key);
    keys.push({
      digest: digest ? Buffer.from(digest[1]!, 'hex') : plainKey(where, key),
      models: models === undefined ? null : modelList(where, models),
    });
  });
  return keys;
}

function plainKey(where: string, key: string): Buffer {
  // The key itself never appears in the message: it may be a real one with a typo.
  if (!KEY.test(key)) throw new ConfigError(`${where}: a key must be 16 to 512 printable ASCII characters without spaces (this one has ${key.length} characters)`);
  return digestOf(key);
}

function modelList(where: string, list: string): string[] {
  const models = list.split('|').map((m) => m.trim()).filter((m) => m !== '');
  if (models.length === 0) throw new ConfigError(`${where}: a key limited to models needs at least one model id after ":"`);
  return models;
}
