// Persisted operations: documents the operator lists ahead of time, run by id
// (GraphQL Code Generator's persisted-documents.json has this shape: a JSON
// object from id to document text). With PERSISTED_OPERATIONS_ONLY nothing
// else runs, which closes the gateway to every document its frontends do not send.
import { readFileSync } from 'node:fs';
import { ConfigError, readBool, readOptionalString, type Env } from './env-parsers.ts';

export interface PersistedOperationsConfig {
  /** Document text by id. */
  documents: ReadonlyMap<string, string>;
  /** Whether documents sent in full are refused. */
  only: boolean;
}

export function readPersistedOperations(env: Env): PersistedOperationsConfig | undefined {
  const file = readOptionalString(env, 'PERSISTED_OPERATIONS_FILE');
  const only = readBool(env, 'PERSISTED_OPERATIONS_ONLY', false);
  if (file === undefined) {
    if (only) throw new ConfigError('PERSISTED_OPERATIONS_ONLY needs PERSISTED_OPERATIONS_FILE: with no operation listed, nothing could run');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'is not JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError(`PERSISTED_OPERATIONS_FILE ${why}: ${file}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('PERSISTED_OPERATIONS_FILE must hold a JSON object from operation id to document text');
  }
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || document.trim() === '') throw new ConfigError(`PERSISTED_OPERATIONS_FILE: operation "${id.slice(0, 80)}" is not a document`);
    documents.set(id, document);
  }
  return { documents, only };
}
