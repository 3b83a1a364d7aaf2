// The `--api-key` both servers take. vLLM guards every path under /v1 and leaves /health and
// /metrics open; TGI guards its generation routes only. A missing or wrong key is a 401.

import type { IncomingMessage } from 'node:http';
import type { SimulatorProtocol } from './types.ts';

const TGI_GUARDED = new Set(['/', '/generate', '/generate_stream', '/v1/chat/completions', '/v1/completions']);

export function needsKey(protocol: SimulatorProtocol, method: string, path: string): boolean {
  if (protocol === 'openai') return method !== 'OPTIONS' && (path === '/v1' || path.startsWith('/v1/'));
  // GET / is TGI's health route, open like /health.
  return method === 'POST' && TGI_GUARDED.has(path);
}

/** The scheme is case-insensitive (RFC 9110), the key is compared exactly. */
export function hasKey(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return false;
  const match = /^bearer +(.*)$/i.exec(header);
  return match !== null && match[1] === key;
}
