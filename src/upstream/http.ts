// The small HTTP chores under every replica client (replica-http.ts holds
// them together): network errors become upstream failures in words that
// name no address, bodies are read within a bound, an abort keeps its own
// reason, and a u64 seed travels as a bare JSON number.
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { readStream } from '../lib/read-stream.ts';
import { UpstreamError } from './errors.ts';

export type ResponseBody = Dispatcher.ResponseData['body'];

/** Error answers, health and model lists: a few kilobytes. */
export const MAX_SMALL_BODY = 1 << 16;
/** A whole non-streamed generation: generous, but bounded. */
export const MAX_GENERATION_BODY = 64 << 20;

/** Sockets to one replica by default: one per concurrent generation (servers multiplex nothing over HTTP/1.1). */
export const DEFAULT_CONNECTIONS = 1024;

/** The keep-alive pool to one replica. The generation service owns every timeout (first token, idle, total): undici's stay off. */
export function replicaPool(origin: string, options: { connectTimeoutMs: number; connections?: number | undefined }): Pool {
  return new Pool(origin, {
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  });
}

/** Network error codes that mean no connection was made, in words that name no address. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};

/** Abort keeps its own reason; a network error becomes the upstream failure it means. */
export function classify(error: unknown, signal: AbortSignal, otherwise: 'reset' | 'broken'): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof UpstreamError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const connect = CONNECT_FAILURES[code];
  if (connect) {
    return new UpstreamError(code === 'UND_ERR_CONNECT_TIMEOUT' ? { kind: 'connect', detail: connect, timedOut: true } : { kind: 'connect', detail: connect });
  }
  // Messages of network errors carry addresses: only the code travels on (to the log).
  const detail = code || (error as Error | null)?.name || 'network error';
  if (code.startsWith('HPE_')) return new UpstreamError({ kind: 'protocol', detail });
  return new UpstreamError(otherwise === 'broken' ? { kind: 'broken', detail, connectionLost: true } : { kind: 'reset', detail });
}

const NEVER = new AbortController().signal;

/** The body as text; past `limit` bytes the connection is dropped and the body is refused. */
export async function readBody(body: ResponseBody, signal: AbortSignal = NEVER, limit = MAX_SMALL_BODY): Promise<string> {
  const read = await readStream(body, limit);
  if (read.ok) return read.bytes.toString('utf8');
  if (!read.tooLarge) throw classify(read.error, signal, 'broken');
  discard(body);
  throw new UpstreamError({ kind: 'protocol', detail: `response larger than ${limit} bytes` });
}

// Node 24 has JSON.rawJSON (TC39 "JSON.parse source text access"); TypeScript's es2024 lib does not declare it yet.
const { rawJSON } = JSON as JSON & { rawJSON(text: string): unknown };

/** A request body; a bigint (the u64 seed) becomes a bare JSON number with its exact digits. */
export function wireJson(value: unknown): string {
  // A replacer runs for every key; only a seed is ever a bigint, so most bodies need none.
  return hasSeed(value) ? JSON.stringify(value, writeBigint) : JSON.stringify(value);
}

const writeBigint = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? rawJSON(v.toString()) : v);

/** TGI's body carries the seed in `parameters`; the OpenAI-compatible bodies at the top. */
function hasSeed(value: unknown): boolean {
  const body = value as { seed?: unknown; parameters?: { seed?: unknown } } | null;
  return typeof body?.seed === 'bigint' || typeof body?.parameters?.seed === 'bigint';
}

/** `Retry-After` when it is a number of seconds (a date is not used by model servers). */
export function retryAfterSeconds(headers: Dispatcher.ResponseData['headers']): number | null {
  const value = headers['retry-after'];
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

export function isEventStream(headers: Dispatcher.ResponseData['headers']): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('text/event-stream');
}

/**
 * Drops a body not read to its end, and its socket with it. undici then
 * emits an abort error on the body, which nobody is listening for any more.
 */
export function discard(body: Readable): void {
  body.on('error', ignore);
  body.destroy();
}

const ignore = (): void => {};

/** `promise`, or the signal's reason as soon as it fires (the promise itself runs on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
