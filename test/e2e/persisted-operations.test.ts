// Persisted operations: documents listed ahead of time run by id (documentId,
// or Apollo's persistedQuery hash) over HTTP and graphql-ws; with
// PERSISTED_OPERATIONS_ONLY nothing else runs.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack, type Stack } from './harness.ts';

const INFO = '{ info { name } }';
const INFO_HASH = createHash('sha256').update(INFO).digest('hex');
const file = () => {
  const path = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'persisted-documents.json');
  writeFileSync(path, JSON.stringify({ info: INFO, [INFO_HASH]: INFO }));
  return path;
};

interface Answer { data?: unknown; errors?: { message: string; extensions: { code: string } }[] }

async function post(stack: Stack, body: Record<string, unknown>): Promise<Answer & { status: number }> {
  const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, ...((await res.json()) as Answer) };
}

async function overSocket(stack: Stack, payload: Record<string, unknown>): Promise<Answer> {
  const client = createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    return await new Promise((resolve) => client.subscribe(payload as { query: string }, {
      next: (r) => resolve(r as Answer),
      error: (e) => resolve({ errors: e as Answer['errors'] }),
      complete: () => undefined,
    }));
  } finally {
    await client.dispose();
  }
}

const OK = { data: { info: { name: 'tgi-graphql-gateway' } } };

describe('persisted operations', () => {
  let stack: Stack;
  afterEach(() => stack.stop());

  it('run by documentId or by persistedQuery hash, over HTTP and graphql-ws, beside documents sent in full', async () => {
    stack = await startStack({}, { PERSISTED_OPERATIONS_FILE: file() });
    expect(await post(stack, { documentId: 'info' })).toMatchObject(OK);
    expect(await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: INFO_HASH } } })).toMatchObject(OK);
    expect(await post(stack, { query: '{ models { id } }' })).toMatchObject({ data: { models: [{ id: 'sim' }] } });
    expect(await overSocket(stack, { query: '', documentId: 'info' })).toMatchObject(OK);
    expect(await overSocket(stack, { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: INFO_HASH } } })).toMatchObject(OK);
  });

  it('refuse an unknown id with PERSISTED_QUERY_NOT_FOUND', async () => {
    stack = await startStack({}, { PERSISTED_OPERATIONS_FILE: file() });
    const answer = await post(stack, { documentId: 'nope' });
    expect(answer.status).toBe(400);
    expect(answer.errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await overSocket(stack, { query: '', documentId: 'nope' })).errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('with PERSISTED_OPERATIONS_ONLY, refuse every document sent in full, on both transports', async () => {
    stack = await startStack({}, { PERSISTED_OPERATIONS_FILE: file(), PERSISTED_OPERATIONS_ONLY: 'true' });
    expect(await post(stack, { documentId: 'info' })).toMatchObject(OK);
    const refused = await post(stack, { query: 'mutation { generate(input: {modelId: "sim", prompt: "x"}) { generatedText } }' });
    expect(refused.status).toBe(400);
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_ONLY' }, message: expect.stringMatching(/documentId/) });
    expect((await overSocket(stack, { query: INFO })).errors![0]!.extensions.code).toBe('PERSISTED_QUERY_ONLY');
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate'] ?? 0).toBe(0);
  });
});
