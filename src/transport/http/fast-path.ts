// The common GraphQL requests, answered without yoga's Fetch API layer: a
// POST of JSON `{query, variables?, operationName?}` for a query or a mutation
// (answered as JSON), or for a subscription asking for `text/event-stream`
// (GraphQL over SSE, distinct connections: yoga's framing, pings and pull).
// Parsing, validation, execution, error masking and every plugin run exactly
// as for yoga (the same enveloped pipeline); what is skipped is the Request
// and Response objects, the body streams and the result processors, which cost
// more than running the operation itself.
//
// Anything else goes to yoga, untouched: another method, content type or
// Accept, a body without a length, `extensions` or `documentId`, a batch, and
// every request refused before execution (syntax, validation, variables),
// whose answers yoga shapes (status by media type, refusal counting). A body
// already read is handed to yoga as `req.body`, which its adapter takes as is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { readStream } from '../../lib/read-stream.ts';
import type { GraphQLHandler, ServerContext } from './yoga.ts';

// Media types yoga answers a single result with; any type, or none, gets application/json.
const RESPONSE_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type ResponseType = (typeof RESPONSE_TYPES)[number] | 'text/event-stream';

/** yoga's comment line: some browsers show nothing of a response before its first bytes. */
const SSE_PING = ':\n\n';
const SSE_PING_MS = 12_000;
const SSE_COMPLETE = 'event: complete\ndata:\n\n';

interface Params {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

/**
 * Answers the request and resolves true, or resolves false having answered
 * nothing (yoga takes it from there, with the body in `req.body` if it was read).
 */
export async function answerCommonRequest(yoga: GraphQLHandler, req: IncomingMessage, res: ServerResponse, context: ServerContext, maxBytes: number): Promise<boolean> {
  if (req.method !== 'POST' || !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return false;
  const responseType = responseTypeFor(req.headers.accept);
  const length = Number(req.headers['content-length']);
  if (responseType === undefined || !Number.isInteger(length) || length <= 0 || length > maxBytes) return false;
  const body = await readExactly(req, length);
  if (body === undefined) return false;
  const params = paramsOf(body);
  if (!params) return handOver(req, body);

  const env = yoga.getEnveloped({
    ...context,
    req,
    res,
    params,
    // yoga's plugins tell its HTTP requests by this: a parse error then gets its 400 (and that
    // error is cached for yoga's own later answers), and a mutation is checked against the method.
    request: { method: 'POST' },
  });
  let document: DocumentNode;
  try {
    document = env.parse(params.query);
  } catch {
    return handOver(req, body);
  }
  if (env.validate(env.schema, document).length > 0) return handOver(req, body);
  const operation = getOperationAST(document, params.operationName);
  const streamed = responseType === 'text/event-stream';
  if (!operation || (operation.operation === 'subscription') !== streamed) return handOver(req, body);
  const args = {
    schema: env.schema,
    document,
    operationName: params.operationName,
    variableValues: params.variables,
    contextValue: await env.contextFactory(),
  };
  if (streamed) {
    const result = await env.subscribe(args);
    // Refused before the resolver ran (its variables): yoga shapes and counts that answer.
    if (!isStream(result) && refusedBeforeRunning(result as ExecutionResult)) return handOver(req, body);
    await sendStream(res, result as ExecutionResult | AsyncIterable<ExecutionResult>, context.signal);
    return true;
  }
  const result = (await env.execute(args)) as ExecutionResult;
  // Refused before anything ran (its variables): yoga shapes and counts that answer.
  if (!('data' in result) || result.data === undefined) return handOver(req, body);
  send(res, responseType, result);
  return true;
}

/** The media type yoga would pick, when the Accept header is one this path knows. */
function responseTypeFor(accept: string | undefined): ResponseType | undefined {
  if (accept === undefined || accept === '' || accept === '*/*') return 'application/json';
  if (accept === 'text/event-stream') return accept;
  const first = accept.split(',')[0]!.split(';')[0]!.trim().toLowerCase();
  return (RESPONSE_TYPES as readonly string[]).includes(first) && !accept.includes('text/event-stream') ? (first as ResponseType) : undefined;
}

/** The body, when it came whole and of its declared length (HTTP framing holds it to that). */
async function readExactly(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  const read = await readStream(req, length);
  return read.ok && read.bytes.byteLength === length ? read.bytes : undefined;
}

const ALLOWED_KEYS: ReadonlySet<string> = new Set(['query', 'variables', 'operationName']);

function paramsOf(body: Buffer): Params | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { query, variables = null, operationName = null } = json as Record<string, unknown>;
  if (!Object.keys(json).every((key) => ALLOWED_KEYS.has(key))) return undefined;
  if (typeof query !== 'string') return undefined;
  if (variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, variables: variables as Record<string, unknown> | null, operationName };
}

function handOver(req: IncomingMessage, body: Buffer): false {
  (req as IncomingMessage & { body?: Buffer }).body = body;
  return false;
}

/** As yoga's regular result processor writes an executed result. */
function send(res: ServerResponse, type: ResponseType, result: ExecutionResult): void {
  const text = resultJson(result);
  res.writeHead(statusOf(result, false), { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const resultJson = (result: ExecutionResult): string =>
  JSON.stringify(result.errors?.length ? { ...result, errors: result.errors.map(withoutInternals) } : result);

const isStream = (result: unknown): result is AsyncIterable<ExecutionResult> =>
  typeof result === 'object' && result !== null && Symbol.asyncIterator in result;

/** No data and no path: the operation was refused before its resolver ran (variables that do not fit). */
const refusedBeforeRunning = (result: ExecutionResult): boolean =>
  !('data' in result) && (result.errors ?? []).every((error) => error.path === undefined);

/**
 * yoga's rule: the highest `extensions.http.status` among the errors (over SSE, as for
 * application/json, a status the GraphQL-over-HTTP spec asks for is not used), 500 for an
 * unexpected error without data, else 200.
 */
function statusOf(result: ExecutionResult, sse: boolean): number {
  let status = 0;
  let unexpected = false;
  for (const error of result.errors ?? []) {
    const http = error.extensions?.http as { status?: number; spec?: boolean } | undefined;
    if (http) {
      if (sse && http.spec) continue;
      if (http.status && http.status > status) status = http.status;
    } else if (error.extensions?.unexpected) unexpected = true;
  }
  if (status) return status;
  return unexpected && !('data' in result) ? 500 : 200;
}

/**
 * As yoga's SSE processor writes a subscription: a comment first, a comment every
 * 12 s, one `next` event per result, then `complete`. The next result is asked for
 * only once the socket took the last one, so a client that stops reading holds the
 * model server back through TCP; a client that leaves ends the stream (its signal
 * fired already, which ends the generation).
 */
async function sendStream(res: ServerResponse, result: ExecutionResult | AsyncIterable<ExecutionResult>, signal: AbortSignal): Promise<void> {
  res.writeHead(isStream(result) ? 200 : statusOf(result, true), {
    'content-type': 'text/event-stream',
    connection: 'keep-alive',
    'cache-control': 'no-cache',
    'content-encoding': 'none',
  });
  res.write(SSE_PING);
  if (!isStream(result)) {
    res.end(`event: next\ndata: ${resultJson(result)}\n\n${SSE_COMPLETE}`);
    return;
  }
  const iterator = result[Symbol.asyncIterator]();
  const ping = setInterval(() => {
    if (!res.writableNeedDrain && !res.writableEnded) res.write(SSE_PING);
  }, SSE_PING_MS);
  try {
    for (;;) {
      if (signal.aborted) return;
      const read = await iterator.next();
      if (read.done) break;
      if (signal.aborted) return;
      if (!res.write(`event: next\ndata: ${resultJson(read.value)}\n\n`)) await drained(res, signal);
    }
    if (!signal.aborted) res.end(SSE_COMPLETE);
  } catch {
    // The stream broke in a way the relay did not turn into a payload: as yoga, the response is cut.
    res.destroy();
  } finally {
    clearInterval(ping);
    if (signal.aborted) await iterator.return?.();
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An error as it goes on the wire: yoga's `http` and `unexpected` extensions stay inside. */
function withoutInternals(error: GraphQLError): unknown {
  const json = error.toJSON();
  if (!json.extensions) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions as Record<string, unknown>;
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}
