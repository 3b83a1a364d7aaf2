// GraphiQL is 8.6 MiB with its assets inline (no CDN): it goes out compressed,
// rendered once, and a browser that has it revalidates with its ETag. Its first
// document is a chat, streamed: what most users try first.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { schema } from '../../src/schema/index.ts';
import { graphiqlOptions } from '../../src/transport/pages/graphiql.ts';
import { startStack, type Stack } from './harness.ts';

/** A raw GET (fetch would decompress on its own), returning status, headers and the bytes on the wire. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${url}/graphql`, { headers: { accept: 'text/html', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('GraphiQL on the wire', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('goes out as brotli to browsers that take it, under a quarter of its size', async () => {
    const res = await get(stack.url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = brotliDecompressSync(res.body);
    expect(res.body.byteLength).toBeLessThan(html.byteLength / 4);
    expect(html.toString()).toContain('GraphiQL');
    expect(html.toString()).toContain('Tell me about GPUs');
  });

  it('goes out as gzip, or as it is, to clients that take only that', async () => {
    const gz = await get(stack.url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('GraphiQL');
    const plain = await get(stack.url, { 'accept-encoding': 'br;q=0, identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('GraphiQL');
    expect(Number(plain.headers['content-length'])).toBe(plain.body.byteLength);
  });

  it('is revalidated by its ETag: a browser that has it gets 304 and no body', async () => {
    const first = await get(stack.url, { 'accept-encoding': 'br' });
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers.vary).toMatch(/accept-encoding/i);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get(stack.url, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect((await get(stack.url, { 'if-none-match': '"stale"' })).status).toBe(200);
  });
});

describe('GRAPHIQL=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { GRAPHIQL: 'false' });
  });
  afterAll(() => stack.stop());

  it('serves no page: a browser\'s GET of /graphql is a GraphQL request like any other (refused without the CSRF header)', async () => {
    const res = await get(stack.url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.byteLength).toBeLessThan(1024);
    expect(res.body.toString()).not.toContain('GraphiQL');
  });

  it('still answers GraphQL', async () => {
    const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ info { name } }' }) });
    expect(await res.json()).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
  });
});

describe.each(['tgi', 'openai'] as const)('GraphiQL\'s first document, on a %s model', (protocol) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ protocol }, { TGI_SIM_PROTOCOL: protocol });
  });
  afterAll(() => stack.stop());

  const document = graphiqlOptions('sim').defaultQuery!;
  const operations = parse(document).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

  it('opens with a chatStream, and every operation in it is valid', () => {
    expect(validate(schema, parse(document))).toEqual([]);
    const first = operations[0]!;
    expect(first.operation).toBe('subscription');
    expect((first.selectionSet.selections[0] as { name: { value: string } }).name.value).toBe('chatStream');
  });

  it('runs as it is: the chat streams to its end over SSE, and each other operation answers without errors', async () => {
    for (const operation of operations) {
      const operationName = operation.name!.value;
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: operation.operation === 'subscription' ? 'text/event-stream' : 'application/json', 'x-graphql-csrf': '1' },
        body: JSON.stringify({ query: document, operationName }),
      });
      const text = await res.text();
      expect(res.status, operationName).toBe(200);
      expect(text, operationName).not.toContain('"errors"');
      if (operationName === 'Chat') expect(text).toMatch(/"finishReason":"(LENGTH|EOS_TOKEN|STOP_SEQUENCE)"/);
      // The tool-call example calls its tool, and the arguments hold the tool's schema.
      if (operationName === 'Tools') expect(text).toMatch(/"finishReason":"TOOL_CALLS","toolCalls":\[\{"id":"[^"]+","name":"get_weather".*"validationErrors":\[\]/);
    }
  });
});
