// Test controls under /__simulator/, outside both servers' namespaces: stats, faults, timing
// and the record of the last requests.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import { assertFaults } from './faults.ts';
import { readJsonBody, sendEmpty, sendJson } from './http-io.ts';
import { assertDurations } from './options.ts';
import type { SimulatorTiming } from './types.ts';

function timingOf(context: SimulatorContext): SimulatorTiming {
  const { timeToFirstTokenMs, timePerTokenMs } = context.options;
  return { timeToFirstTokenMs, timePerTokenMs };
}

export function applyTiming(context: SimulatorContext, timing: Partial<SimulatorTiming>): void {
  assertDurations(timing);
  if (timing.timeToFirstTokenMs !== undefined) context.options.timeToFirstTokenMs = timing.timeToFirstTokenMs;
  if (timing.timePerTokenMs !== undefined) context.options.timePerTokenMs = timing.timePerTokenMs;
}

/** Reads a JSON object body; `{}` when empty. Null fields mean "unset". */
async function readObject(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const body = await readJsonBody(req, false);
  if (body.kind !== 'body') return null;
  const value: unknown = body.text.trim() === '' ? {} : JSON.parse(body.text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('body must be a JSON object');
  const entries = Object.entries(value as Record<string, unknown>).map(([key, field]) => [key, field ?? undefined]);
  return Object.fromEntries(entries) as Record<string, unknown>;
}

async function withBody(req: IncomingMessage, res: ServerResponse, apply: (body: Record<string, unknown>) => unknown): Promise<void> {
  try {
    const body = await readObject(req);
    if (body === null) return;
    sendJson(res, 200, apply(body));
  } catch (error) {
    sendJson(res, 400, { error: (error as Error).message, error_type: 'simulator_control' });
  }
}

export async function handleControl(
  context: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (path === '/__simulator/stats' && method === 'GET') {
    sendJson(res, 200, context.stats.snapshot(context.semaphore.inUse, context.sockets));
  } else if (path === '/__simulator/faults' && method === 'GET') {
    sendJson(res, 200, context.faults.current());
  } else if (path === '/__simulator/faults' && method === 'PUT') {
    await withBody(req, res, (body) => {
      assertFaults(body);
      if (query.get('reset') === '1') context.faults.clear();
      context.faults.set(body);
      return context.faults.current();
    });
  } else if (path === '/__simulator/faults' && method === 'DELETE') {
    context.faults.clear();
    sendJson(res, 200, context.faults.current());
  } else if (path === '/__simulator/requests' && method === 'GET') {
    sendJson(res, 200, context.requests.list());
  } else if (path === '/__simulator/requests' && method === 'DELETE') {
    context.requests.clear();
    sendJson(res, 200, []);
  } else if (path === '/__simulator/timing' && method === 'GET') {
    sendJson(res, 200, timingOf(context));
  } else if (path === '/__simulator/timing' && method === 'PUT') {
    await withBody(req, res, (body) => {
      const { timeToFirstTokenMs, timePerTokenMs, ...rest } = body;
      const unknown = Object.keys(rest)[0];
      if (unknown !== undefined) throw new TypeError(`unknown timing ${unknown}`);
      applyTiming(context, { timeToFirstTokenMs, timePerTokenMs } as Partial<SimulatorTiming>);
      return timingOf(context);
    });
  } else {
    sendEmpty(res, CONTROL_PATHS.has(path) ? 405 : 404);
  }
}

export const CONTROL_PATHS = new Set(['/__simulator/stats', '/__simulator/faults', '/__simulator/timing', '/__simulator/requests']);
