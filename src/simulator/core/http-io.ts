// Reading request bodies, with the exact rejections axum's Json extractor produces before
// TGI's handlers run (vLLM's routes and the controls skip its content-type check), and
// writing plain responses.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifyJson } from './json.ts';

const PAYLOAD_LIMIT = 2_000_000;

type BodyResult =
  | { kind: 'body'; text: string }
  | { kind: 'rejected'; status: number; message: string }
  | { kind: 'gone' };

function isJsonContentType(header: string | undefined): boolean {
  const essence = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const [type, subtype] = essence.split('/');
  if (type !== 'application' || subtype === undefined) return false;
  return subtype === 'json' || subtype.endsWith('+json');
}

/** Resolves once the body is read, refused (415/413/400) or the client has left. */
export function readJsonBody(req: IncomingMessage, requireJsonType = true): Promise<BodyResult> {
  if (requireJsonType && !isJsonContentType(req.headers['content-type'])) {
    req.resume();
    return Promise.resolve({ kind: 'rejected', status: 415, message: 'Expected request with `Content-Type: application/json`' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > PAYLOAD_LIMIT) {
        settle({ kind: 'rejected', status: 413, message: 'Failed to buffer the request body: length limit exceeded' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        settle({ kind: 'body', text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) });
      } catch {
        settle({ kind: 'rejected', status: 400, message: 'Failed to parse the request body as JSON: invalid UTF-8' });
      }
    });
    req.on('error', () => settle({ kind: 'gone' }));
    req.on('close', () => settle({ kind: 'gone' }));
  });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = stringifyJson(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
