// Helpers for the OpenAI-style routes of both protocols: requests with headers, and SSE
// bodies whose events may end with `data: [DONE]`.

import type { Simulator } from '../../src/simulator/index.ts';

export const DONE = '[DONE]';

export function post(
  simulator: Simulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(simulator.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** The payloads of `data:` events, `[DONE]` kept as the string; throws on anything else. */
export function events(text: string): unknown[] {
  const blocks = text.split('\n\n');
  if (blocks.pop() !== '') throw new Error(`stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return blocks.map((block) => {
    if (!block.startsWith('data: ') || block.includes('\n')) throw new Error(`unexpected SSE block ${JSON.stringify(block)}`);
    const data = block.slice('data: '.length);
    return data === DONE ? DONE : (JSON.parse(data) as unknown);
  });
}

export async function streamOf(simulator: Simulator, path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown[]> {
  const response = await post(simulator, path, body, headers);
  return events(await response.text());
}

export function countData(text: string): number {
  return text.split('\n\n').filter((block) => block.startsWith('data: ')).length;
}

export interface ChatChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string }; logprobs: null; finish_reason: string | null; stop_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

export interface TextChunk {
  id: string;
  object: string;
  choices: { index: number; text: string; finish_reason: string | null; stop_reason?: string | null; token_ids?: number[]; prompt_token_ids?: number[] }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ChatBody {
  id: string;
  object: string;
  model: string;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string; stop_reason?: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface TextBody {
  id: string;
  object: string;
  model: string;
  choices: { index: number; text: string; finish_reason: string; stop_reason?: string | null; token_ids?: number[]; prompt_token_ids?: number[] }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The concatenated delta content of a chat stream. */
export function chatText(chunks: unknown[]): string {
  return (chunks.filter((chunk) => chunk !== DONE) as ChatChunk[])
    .map((chunk) => chunk.choices[0]?.delta.content ?? '')
    .join('');
}

export function completionStreamText(chunks: unknown[]): string {
  return (chunks.filter((chunk) => chunk !== DONE) as TextChunk[]).map((chunk) => chunk.choices[0]?.text ?? '').join('');
}
