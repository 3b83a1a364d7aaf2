// The one node:http server: probes, metrics, pages, REST and GraphQL on one
// port, graphql-ws on the upgrade of /graphql. This is where every request
// enters: it is guarded (CORS, drain, CSRF, its caller), then gets its request
// id and its one operation signal, and is routed.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorExtensions, GatewayError, HTTP_STATUS, shuttingDown } from '../errors.ts';
import { requestScope } from '../lib/request-scope.ts';
import { parseTraceparent } from '../lib/trace.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { UNAUTHENTICATED_MESSAGE, type Callers } from './guards/callers.ts';
import type { Cors } from './guards/cors.ts';
import { CSRF_MESSAGE, passesCsrfCheck } from './guards/csrf.ts';
import { isSingleConnectionMode, SINGLE_CONNECTION_MESSAGE, SINGLE_CONNECTION_REASON } from './guards/event-stream-mode.ts';
import { answerCommonRequest } from './http/fast-path.ts';
import { sendGraphQLRefusal } from './http/refusal-answer.ts';
import { GRAPHQL_PATH, type GraphQLHandler, type ServerContext } from './http/yoga.ts';
import { hangUpSignal } from './common/operation-signal.ts';
import { wantsGraphiQL, type GraphiQL } from './pages/graphiql.ts';
import { PLAYGROUND_PATH, type Playground } from './pages/playground.ts';
import type { Lifecycle } from './common/lifecycle.ts';
import { handleProbe } from './probes.ts';
import type { RefusalListener } from './common/refusal.ts';
import type { RestHandler } from './rest/routes.ts';
import { notFound, V1_PREFIX, type V1Handler } from './v1/routes.ts';
import { sendOpenAIError, toOpenAIError } from './v1/errors.ts';
import { sendJson } from './common/send-json.ts';
import { limitConnections, timeoutOptions } from './common/connection-limits.ts';
import type { ConnectionLimits, JsonLimits } from '../config/index.ts';
import type { GraphQLWs } from './ws/graphql-ws.ts';

const METRICS_PATH = '/metrics';

interface ServerParts {
  yoga: GraphQLHandler;
  /** graphql-ws, on the upgrade of /graphql. */
  webSockets: Pick<GraphQLWs, 'upgrade'>;
  /** Undefined when GRAPHIQL=false: a browser's GET is then a GraphQL request like any other. */
  graphiql: GraphiQL | undefined;
  playground: Playground;
  metrics: Metrics;
  onRefused: RefusalListener;
  rest: RestHandler;
  /** The OpenAI-compatible API (/v1/…), whose refusals are in OpenAI's shape. */
  v1: V1Handler;
  callers: Callers;
  cors: Cors;
  lifecycle: Lifecycle;
  maxRequestBytes: number;
  /** Connection caps and node:http's timeouts. */
  connections: ConnectionLimits;
  /** Depth and keys of a JSON body, checked before it is parsed. */
  json: JsonLimits;
  /** Worker processes sharing the port: each holds its share of the connections. */
  workers: number;
  /** With persisted operations on, every request goes through yoga (and its persisted-operations plugin). */
  persistedOperations: boolean;
  logger: Logger;
}

export function createGatewayServer(parts: ServerParts) {
  const { yoga, graphiql, playground, metrics, rest, v1, cors, lifecycle, callers, onRefused: refused } = parts;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (handleProbe(path, res, lifecycle)) return;
    // Scraped by Prometheus, which holds no API key (it shows counts, never prompts), during a drain too.
    if (path === METRICS_PATH && req.method === 'GET') {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text);
      return;
    }
    if (cors.handle(req, res)) return;
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const openai = path.startsWith(V1_PREFIX);
    if (lifecycle.draining) {
      if (openai) sendOpenAIError(res, toOpenAIError(shuttingDown()), { connection: 'close' });
      else refuseWhileDraining(req, res, path === GRAPHQL_PATH, requestId);
      return;
    }
    // A static page: its user enters a key in it.
    if (path === PLAYGROUND_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      await playground.send(req, res);
      return;
    }
    const graphql = path === GRAPHQL_PATH;
    // The page itself is static: its user enters a key in it.
    if (graphql && graphiql && wantsGraphiQL(req)) {
      await graphiql.send(req, res);
      return;
    }
    if (graphql && isSingleConnectionMode(req)) {
      refused('http', 'BAD_REQUEST', requestId);
      res.statusMessage = SINGLE_CONNECTION_REASON;
      sendGraphQLRefusal(req, res, 405, { message: SINGLE_CONNECTION_MESSAGE, extensions: { code: 'BAD_REQUEST', requestId } }, { allow: 'GET, POST, OPTIONS' });
      return;
    }
    if (graphql && !passesCsrfCheck(req)) {
      refused('http', 'BAD_REQUEST', requestId);
      sendGraphQLRefusal(req, res, 403, { message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST', requestId } });
      return;
    }
    const identified = callers.ofRequest(req);
    if (!identified.ok) {
      refused(graphql ? 'http' : openai ? 'openai' : 'rest', 'UNAUTHENTICATED', requestId);
      const message = UNAUTHENTICATED_MESSAGE[identified.reason];
      const headers = { 'www-authenticate': 'Bearer' };
      if (openai) sendOpenAIError(res, toOpenAIError(new GatewayError('UNAUTHENTICATED', message)), headers);
      else if (graphql) sendGraphQLRefusal(req, res, 401, { message, extensions: { code: 'UNAUTHENTICATED', requestId } }, headers);
      else sendJson(res, 401, { detail: message }, headers);
      return;
    }
    const operation = { requestId, caller: identified.caller, traceparent: parseTraceparent(req.headers.traceparent), signal: hangUpSignal(res) };
    if (graphql) {
      const context: ServerContext = { ...operation, transport: req.headers.accept?.includes('text/event-stream') ? 'sse' : 'http' };
      await requestScope.run(requestId, async () => {
        if (!parts.persistedOperations && (await answerCommonRequest(yoga, req, res, context, parts.maxRequestBytes, parts.json))) return;
        await yoga.handle(req, res, context);
      });
      return;
    }
    if (openai) {
      if (!(await requestScope.run(requestId, () => v1(req, res, path, operation)))) sendOpenAIError(res, notFound(path));
      return;
    }
    if (await requestScope.run(requestId, () => rest(req, res, path, operation))) return;
    sendJson(res, 404, { detail: 'Not Found' });
  }

  // A bug on one request is that request's 500, never a rejection that ends the process.
  const server = createServer(timeoutOptions(parts.connections), (req, res) => {
    route(req, res).catch((error: unknown) => {
      parts.logger.error({ err: error, requestId: res.getHeader('x-request-id'), path: pathOf(req.url) }, 'request failed');
      if (res.headersSent) res.destroy();
      else if (pathOf(req.url) === GRAPHQL_PATH) sendGraphQLRefusal(req, res, 500, { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: res.getHeader('x-request-id') } });
      else sendJson(res, 500, { detail: 'Unexpected error.' });
    });
  });

  limitConnections(server, parts.connections, parts.workers);

  // Node answers CONNECT by closing the connection without a word: say what happened.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nallow: GET, POST, OPTIONS\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the upgrade socket over without any 'error' listener: a client's
    // reset would otherwise be an uncaught exception that ends the process.
    socket.on('error', () => socket.destroy());
    if (pathOf(req.url) !== GRAPHQL_PATH || lifecycle.draining || !cors.allowsSocket(req)) {
      const status = lifecycle.draining ? '503 Service Unavailable' : pathOf(req.url) !== GRAPHQL_PATH ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    parts.webSockets.upgrade(req, socket, head);
  });

  return server;
}

/** During the drain the listener stays open, but new work goes elsewhere. */
function refuseWhileDraining(req: IncomingMessage, res: ServerResponse, graphql: boolean, requestId: string): void {
  const error = shuttingDown();
  const headers = { connection: 'close', 'retry-after': '1' };
  if (graphql) sendGraphQLRefusal(req, res, HTTP_STATUS[error.code], { message: error.message, extensions: errorExtensions(error, requestId) }, headers);
  else sendJson(res, HTTP_STATUS[error.code], { detail: error.message }, headers);
}

function pathOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return (q === -1 ? url : url!.slice(0, q)) || '/';
}

const REQUEST_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

/** The caller's `x-request-id` when it is a sane token, else a fresh one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
