// The common GraphQL requests, answered without yoga's Fetch API layer: a
// POST of JSON `{query, variables?, operationName?}` for a query or a mutation
// (answered as JSON), or for a subscription asking for `text/event-stream`
// (GraphQL over SSE, distinct connections). Parsing, validation, execution,
// error masking and every plugin run exactly as for yoga (the same enveloped
// pipeline); what is skipped is the Request and Response objects and the body
// streams, which cost more than running the operation itself. A plain result
// or event is written as yoga writes it; one with errors, and a subscription
// that ended before its stream began, go through yoga's own result processors
// (yoga-answers.ts).
//
// Anything else goes to yoga, untouched: another method, content type or
// Accept, a body without a length, `extensions` or `documentId`, a batch, a
// body past the JSON limits (request-shape.ts refuses it there), and
// every request refused before execution (syntax, validation, variables),
// whose answers yoga shapes (status by media type, refusal counting). A body
// already read is handed to yoga as `req.body`, which its adapter takes as is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { getSSEProcessor, isAsyncIterable, processRegularResult } from 'graphql-yoga';
import type { JsonLimits } from '../../config/index.ts';
import { readStream } from '../../lib/read-stream.ts';
import { jsonShapeProblem } from '../guards/json-shape.ts';
import { sendEventStream } from './event-stream.ts';
import { isPlain, sendResponse } from './yoga-answers.ts';
import type { GraphQLHandler, ServerContext } from './yoga.ts';

// Media types yoga answers a single result with; any type, or none, gets application/json.
const RESPONSE_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type ResponseType = (typeof RESPONSE_TYPES)[number] | 'text/event-stream';

const processSSEResult = getSSEProcessor();

interface Params {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

/**
 * Answers the request and resolves true, or resolves false having answered
 * nothing (yoga takes it from there, with the body in `req.body` if it was read).
 */
export async function answerCommonRequest(yoga: GraphQLHandler, req: IncomingMessage, res: ServerResponse, context: ServerContext, maxBytes: number, json: JsonLimits): Promise<boolean> {
  if (req.method !== 'POST' || !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return false;
  const responseType = responseTypeFor(req.headers.accept);
  const length = Number(req.headers['content-length']);
  if (responseType === undefined || !Number.isInteger(length) || length <= 0 || length > maxBytes) return false;
  const body = await readExactly(req, length);
  if (body === undefined) return false;
  const params = paramsOf(body, json);
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
    const result: ExecutionResult | AsyncIterable<ExecutionResult> = await env.subscribe(args);
    if (isAsyncIterable<ExecutionResult>(result)) {
      await sendEventStream(res, result, context.signal, yoga.fetchAPI);
      return true;
    }
    // Refused before the resolver ran (its variables): yoga shapes and counts that answer.
    if (refusedBeforeRunning(result)) return handOver(req, body);
    await sendResponse(res, await processSSEResult(result, yoga.fetchAPI, responseType), context.signal);
    return true;
  }
  const result: ExecutionResult = await env.execute(args);
  // Refused before anything ran (its variables): yoga shapes and counts that answer.
  if (!('data' in result) || result.data === undefined) return handOver(req, body);
  if (isPlain(result)) sendPlain(res, responseType, result);
  else await sendResponse(res, processRegularResult(result, yoga.fetchAPI, responseType), context.signal);
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

/** The parameters of a body this path answers; a body too deep or with too many keys is yoga's to refuse. */
function paramsOf(body: Buffer, limits: JsonLimits): Params | undefined {
  const text = body.toString('utf8');
  if (jsonShapeProblem(text, limits) !== undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
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

/**
 * yoga's adapter takes `req.body` as the request's body once
 * `Object.keys(req.body)` is not empty: for a Buffer that lists every byte's
 * index (an 800 KB body made 800,000 strings, a third of a second of one event
 * loop, on every handed-over request). An async iterable of the one Buffer is
 * a body it takes as well, and its one own key is cheap to list.
 */
function handOver(req: IncomingMessage, body: Buffer): false {
  const handedOver = {
    bytes: body,
    async *[Symbol.asyncIterator]() {
      yield body;
    },
  };
  Object.assign(req, { body: handedOver });
  return false;
}

/** No data and no path: the operation was refused before its resolver ran (variables that do not fit). */
const refusedBeforeRunning = (result: ExecutionResult): boolean =>
  !('data' in result) && (result.errors ?? []).every((error) => error.path === undefined);

/** A result without errors, as yoga's regular result processor writes it. */
function sendPlain(res: ServerResponse, type: ResponseType, result: ExecutionResult): void {
  const text = JSON.stringify(result);
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
