// Liveness and readiness of the gateway itself (not of its models).
import type { ServerResponse } from 'node:http';
import { sendJson } from './send-json.ts';

export interface Lifecycle {
  /** True from the start of shutdown: load balancers should stop sending work. */
  draining: boolean;
}

export function handleProbe(path: string, res: ServerResponse, lifecycle: Lifecycle): boolean {
  if (path === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/readyz') {
    if (lifecycle.draining) sendJson(res, 503, { status: 'draining' });
    else sendJson(res, 200, { status: 'ready' });
    return true;
  }
  return false;
}
