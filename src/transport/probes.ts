// Liveness and readiness of the gateway itself (not of its models).
import type { ServerResponse } from 'node:http';
import type { Lifecycle } from './common/lifecycle.ts';
import { sendJson } from './common/send-json.ts';

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
