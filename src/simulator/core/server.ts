// Starts a simulator on a real HTTP port, answering with the route table of the protocol its
// options name. close() resets every connection and cancels every timer, so a test that
// closes it leaves nothing behind.

import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { SimulatorContext } from './context.ts';
import { applyTiming } from './control-routes.ts';
import { Engine } from './engine.ts';
import { FaultBoard } from './faults.ts';
import { resolveOptions } from './options.ts';
import { RequestLog } from './request-log.ts';
import { route, type RouteTable } from './router.ts';
import { Semaphore } from './semaphore.ts';
import { StatsRecorder } from './stats.ts';
import type {
  RecordedRequest, Simulator, SimulatorFaults, SimulatorOptions, SimulatorProtocol, SimulatorStats, SimulatorTiming,
} from './types.ts';

export async function startServer(
  options: Partial<SimulatorOptions>,
  tables: Readonly<Record<SimulatorProtocol, RouteTable>>,
): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const context: SimulatorContext = {
    options: resolved,
    faults: new FaultBoard(resolved.faults),
    stats: new StatsRecorder(),
    requests: new RequestLog(),
    semaphore: new Semaphore(resolved.maxConcurrentRequests),
    engine: new Engine({
      maxBatchSize: resolved.maxBatchSize,
      prefillMsPerToken: resolved.prefillMsPerToken,
      prefixCacheBlocks: resolved.prefixCacheBlocks,
      timeToFirstTokenMs: () => context.options.timeToFirstTokenMs,
    }),
    exchanges: new Set(),
    sockets: new Set<Socket>(),
    startedAt: Math.floor(Date.now() / 1000),
    nextResponseId: 1,
  };
  const table = tables[resolved.protocol];
  // TGI has no server-side timeouts: no request timeout, idle connections kept forever.
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 0, headersTimeout: 0 }, (req, res) => {
    route(context, table, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`simulator error: ${(error as Error).message}`);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    context.sockets.add(socket);
    socket.once('close', () => context.sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator is not listening on a TCP port');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: (): SimulatorStats => context.stats.snapshot(context.semaphore.inUse, context.sockets),
    requests: (): RecordedRequest[] => context.requests.list(),
    lastRequest: (route?: string) => context.requests.last(route),
    clearRequests: () => context.requests.clear(),
    setFaults: (faults: Partial<SimulatorFaults>) => context.faults.set(faults),
    clearFaults: () => context.faults.clear(),
    setTiming: (timing: Partial<SimulatorTiming>) => applyTiming(context, timing),
    close: () => {
      closing ??= closeEverything(server, context);
      return closing;
    },
  };
}

async function closeEverything(server: Server, context: SimulatorContext): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const exchange of context.exchanges) exchange.timers.clear();
  // Registered after the HTTP layer's own listeners, so responses have seen 'close' by then.
  const socketsClosed = [...context.sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  for (const socket of context.sockets) socket.destroy();
  server.closeAllConnections();
  await Promise.all([serverClosed, ...socketsClosed]);
  for (const exchange of context.exchanges) exchange.settle('aborted');
}
