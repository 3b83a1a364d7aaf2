// What the deployment tests share: reading files under the repository, the
// settings the gateway knows, and durations. These tests read files only.
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { parseAllDocuments } from 'yaml';

export const root = new URL('../../', import.meta.url);

export const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** Every document of a YAML file; a syntax error fails the test that reads it. */
// The manifests are checked field by field by the tests: `any` keeps those checks readable.
export function readYaml(path: string): any[] {
  return parseAllDocuments(read(path)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  });
}

/** .env.example, the reference of every setting and its default. */
const envExampleText = read('.env.example');
export const envExample = parseDotenv(envExampleText);

/** The per-model suffixes .env.example documents: TGI_<KEY>_ENDPOINT, _ID, _NAME, ... */
const modelSuffixes = [...new Set([...envExampleText.matchAll(/TGI_<KEY>_([A-Z_]*[A-Z])/g)].map((m) => m[1]!))];
const MODEL_VARIABLE = new RegExp(`^TGI_[A-Z0-9_]+?_(${modelSuffixes.join('|')})$`);

/**
 * Settings of the public contract (API.md) that are being added to the gateway and
 * are not in .env.example yet. Remove a name once .env.example has it.
 */
/** True for a name the gateway reads: a misspelt setting would be ignored silently. */
export function isGatewaySetting(name: string): boolean {
  return name in envExample || MODEL_VARIABLE.test(name);
}

/** The gateway exits on its own at most this long after the drain time (README, Resilience). */
export const HARD_DEADLINE_SECONDS = 15;

/** SHUTDOWN_DRAIN_MS in seconds, from a set of settings or the default. */
export const drainSeconds = (env: Record<string, string | undefined> = {}): number =>
  Number(env.SHUTDOWN_DRAIN_MS || envExample.SHUTDOWN_DRAIN_MS) / 1000;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** "60s", "1m30s", "1min 30s", "90" (seconds) → seconds; Compose and systemd spellings. */
export function seconds(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h)?/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== duration.replace(/\s/g, '')) {
    throw new Error(`not a duration: ${duration}`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit ?? 's']!, 0);
}

/** Compose's `${VAR:-default}` / `${VAR}` with nothing set in the environment. */
export const interpolateUnset = (value: string): string =>
  value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');
