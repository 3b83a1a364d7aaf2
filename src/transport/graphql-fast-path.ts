// The common GraphQL request, answered without yoga's Fetch API layer: a POST
// of JSON `{query, variables?, operationName?}` for a query or a mutation.
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
import type { YogaInitialContext } from 'graphql-yoga';
import type { Caller } from '../access/caller.ts';
import type { GraphQLHandler } from './graphql.ts';

// Media types yoga answers a single result with; any type, or none, gets application/json.
const RESPONSE_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type ResponseType = (typeof RESPONSE_TYPES)[number];

export interface FastPathRequest {
  requestId: string;
  caller: Caller;
  traceparent: string | undefined;
}

interface Params {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

/**
 * Answers the request and resolves true, or resolves false having answered
 * nothing (yoga takes it from there, with the body in `req.body` if it was read).
 */
export async function answerCommonRequest(yoga: GraphQLHandler, req: IncomingMessage, res: ServerResponse, request: FastPathRequest, maxBytes: number): Promise<boolean> {
  if (req.method !== 'POST' || !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return false;
  const responseType = responseTypeFor(req.headers.accept);
  const length = Number(req.headers['content-length']);
  if (responseType === undefined || !Number.isInteger(length) || length <= 0 || length > maxBytes) return false;
  const body = await readExactly(req, length);
  if (body === undefined) return false;
  const params = paramsOf(body);
  if (!params) return handOver(req, body);

  const controller = new AbortController();
  const hangUp = () => {
    if (!res.writableEnded) controller.abort(new DOMException('the client disconnected', 'AbortError'));
  };
  res.once('close', hangUp);
  try {
    const env = yoga.getEnveloped({
      req,
      res,
      params,
      // yoga's plugins tell its HTTP requests by this: a parse error then gets its 400 (and that
      // error is cached for yoga's own later answers), and a mutation is checked against the method.
      request: { method: 'POST' },
      signal: controller.signal,
      transport: 'http',
      ...request,
    } as unknown as YogaInitialContext);
    let document: DocumentNode;
    try {
      document = env.parse(params.query);
    } catch {
      return handOver(req, body);
    }
    if (env.validate(env.schema, document).length > 0) return handOver(req, body);
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return handOver(req, body);
    const result = (await env.execute({
      schema: env.schema,
      document,
      operationName: params.operationName,
      variableValues: params.variables,
      contextValue: await env.contextFactory(),
    })) as ExecutionResult;
    // Refused before anything ran (its variables): yoga shapes and counts that answer.
    if (!('data' in result) || result.data === undefined) return handOver(req, body);
    send(res, responseType, result);
    return true;
  } finally {
    res.off('close', hangUp);
  }
}

/** The media type yoga would pick, when the Accept header is one this path knows. */
function responseTypeFor(accept: string | undefined): ResponseType | undefined {
  if (accept === undefined || accept === '' || accept === '*/*') return 'application/json';
  const first = accept.split(',')[0]!.split(';')[0]!.trim().toLowerCase();
  return (RESPONSE_TYPES as readonly string[]).includes(first) && !accept.includes('text/event-stream') ? (first as ResponseType) : undefined;
}

function readExactly(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onEnd).off('aborted', onEnd);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      chunks.push(chunk);
    };
    const onEnd = () => done(size === length ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)) : undefined);
    req.on('data', onData).once('end', onEnd).once('error', onEnd).once('aborted', onEnd);
  });
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
  const text = JSON.stringify(result.errors?.length ? { ...result, errors: result.errors.map(withoutInternals) } : result);
  res.writeHead(statusOf(result), { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** yoga's rule: the highest `extensions.http.status` among the errors, else 200. */
function statusOf(result: ExecutionResult): number {
  let status = 0;
  for (const error of result.errors ?? []) {
    const http = error.extensions?.http as { status?: number } | undefined;
    if (http?.status && http.status > status) status = http.status;
  }
  return status || 200;
}

/** An error as it goes on the wire: yoga's `http` and `unexpected` extensions stay inside. */
function withoutInternals(error: GraphQLError): unknown {
  const json = error.toJSON();
  if (!json.extensions) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions as Record<string, unknown>;
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}
