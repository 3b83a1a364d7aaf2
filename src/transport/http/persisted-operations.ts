// Persisted operations on both transports: over HTTP through yoga's plugin,
// over graphql-ws (which yoga's HTTP hooks never reach) by the same lookup.
// An operation names its document by `documentId`, or by Apollo's
// `extensions.persistedQuery.sha256Hash`.
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { PersistedOperationsConfig } from '../../config/persisted.ts';

const ERRORS = {
  notFound: { message: 'no persisted operation has this id', code: 'PERSISTED_QUERY_NOT_FOUND' },
  missing: { message: 'send a query, or the id of a persisted operation (documentId)', code: 'BAD_REQUEST' },
  only: { message: 'this gateway runs persisted operations only: send their documentId instead of a query', code: 'PERSISTED_QUERY_ONLY' },
} as const;

type Refusal = keyof typeof ERRORS;

/** The id an operation names its persisted document by, if it names one. */
function persistedIdOf(params: { documentId?: unknown; extensions?: unknown }): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId;
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

export const persistedRefusal = (refusal: Refusal) =>
  createGraphQLError(ERRORS[refusal].message, { extensions: { code: ERRORS[refusal].code, http: { status: 400 } } });

/** The document an operation runs: its own (as yoga's plugin decides, a query wins), or its persisted one; or why none. */
export function documentOf(
  config: PersistedOperationsConfig | undefined,
  params: { query?: string; documentId?: unknown; extensions?: unknown },
): { document: string } | { refused: Refusal } {
  if (config === undefined) return params.query === undefined ? { refused: 'missing' } : { document: params.query };
  if (params.query) return config.only ? { refused: 'only' } : { document: params.query };
  const id = persistedIdOf(params);
  const document = id === undefined ? undefined : config.documents.get(id);
  if (document === undefined) return { refused: id === undefined ? 'missing' : 'notFound' };
  return { document };
}

/** yoga's plugin on the HTTP path, with the gateway's lookups and codes. */
export function usePersisted(config: PersistedOperationsConfig): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !config.only,
    extractPersistedOperationId: (params) => persistedIdOf(params as { documentId?: unknown; extensions?: unknown }) ?? null,
    getPersistedOperation: (id) => config.documents.get(id) ?? null,
    customErrors: {
      notFound: () => persistedRefusal('notFound'),
      keyNotFound: () => persistedRefusal('missing'),
      persistedQueryOnly: () => persistedRefusal('only'),
    },
  }) as Plugin;
}
