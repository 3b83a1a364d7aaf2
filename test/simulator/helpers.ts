// Small HTTP helpers for talking to a simulator the way a TGI client would.

import { connect } from 'node:net';
import { afterEach } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

/** Test timings: fast, but slow enough to interleave with a client. */
export const FAST: Partial<SimulatorOptions> = { timeToFirstTokenMs: 1, timePerTokenMs: 1 };

/** Starts a simulator that is closed after the current test. */
export function useSimulator(): (options?: Partial<SimulatorOptions>) => Promise<Simulator> {
  const started: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((simulator) => simulator.close()));
  });
  return async (options = {}) => {
    const simulator = await startSimulator({ ...FAST, ...options });
    started.push(simulator);
    return simulator;
  };
}

export function postJson(simulator: Simulator, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(simulator.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** The JSON payloads of `data:` events; throws on any line TGI would never send. */
export function sseData(text: string): unknown[] {
  const blocks = text.split('\n\n');
  if (blocks.pop() !== '') throw new Error(`stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return blocks
    .filter((block) => block !== ':')
    .map((block) => {
      if (!block.startsWith('data: ') || block.includes('\n')) throw new Error(`unexpected SSE block ${JSON.stringify(block)}`);
      return JSON.parse(block.slice('data: '.length)) as unknown;
    });
}

export async function streamEvents(simulator: Simulator, body: unknown): Promise<StreamEvent[]> {
  const response = await postJson(simulator, '/generate_stream', body);
  return sseData(await response.text()) as StreamEvent[];
}

export interface StreamEvent {
  index: number;
  token: { id: number; text: string; logprob: number; special: boolean };
  top_tokens?: unknown[];
  generated_text: string | null;
  details: { finish_reason: string; generated_tokens: number; seed: number | null; input_length: number } | null;
  error?: string;
  error_type?: string;
}

/** Reads a response body until `until` holds for the text so far. */
export async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawExchange {
  head: string;
  /** The body as the server framed it: one Buffer per HTTP chunk. */
  chunks: Buffer[];
  /** Whether the server reset or closed the connection before a complete response. */
  cutShort: boolean;
}

/** Sends one request on a fresh socket and reports the HTTP chunks exactly as written. */
export function rawPost(port: number, path: string, body: string): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => {});
    socket.on('close', () => {
      try {
        resolve(parseChunked(Buffer.concat(received)));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function parseChunked(data: Buffer): RawExchange {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return { head: data.toString('latin1'), chunks: [], cutShort: true };
  const head = data.subarray(0, headEnd).toString('latin1');
  const chunks: Buffer[] = [];
  let offset = headEnd + 4;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (size === 0) return { head, chunks, cutShort: false };
    chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return { head, chunks, cutShort: true };
}
