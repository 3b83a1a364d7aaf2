// The rules every answer to a malformed input must keep: a client error (or,
// for GraphQL over HTTP to accept application/json, errors without data),
// never a 5xx, never silence, a code on every GraphQL error, and nothing of
// the gateway's insides (stack frames, source paths, originalError, library
// codes, the model server's address).
import type { Simulator } from '../../src/simulator/index.ts';
import type { GatewayProcess } from '../attacks/gateway-process.ts';

/** Longest wait for one answer: past it, the input hung the gateway. */
export const ANSWER_MS = 5000;

export interface Answer {
  /** The HTTP status; 0 when nothing came within ANSWER_MS, -1 when the connection ended without an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Target {
  url: string;
  wsUrl: string;
  port: number;
  gateway: GatewayProcess;
  simulator: Simulator;
}

/** What in a text sent to a client would tell it about the gateway's insides. */
export function leaks(text: string, target: Target): string[] {
  const found: string[] = [];
  const simulator = new URL(target.simulator.url);
  if (text.includes('originalError')) found.push('originalError');
  if (/"stack"\s*:/.test(text)) found.push('a stack');
  const frame = /\bat (?:async )?[\w$.<>]{0,200}\s?\(?(?:file:\/\/|node:|\/[\w@.-]{1,200}\/)[^\s)"]{0,300}:\d+:\d+/.exec(text);
  if (frame) found.push(`a stack frame (${frame[0]})`);
  // No unbounded repetition before the literal part: these texts echo 600 KB ids.
  const source = /\.[cm]?[tj]s:\d+/.exec(text);
  if (source) found.push(`a source path (…${text.slice(Math.max(0, source.index - 60), source.index + source[0].length)})`);
  const code = /\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_[A-Z_]+)\b/.exec(text);
  if (code) found.push(`a library or system error code (${code[0]})`);
  for (const address of [simulator.host, `localhost:${simulator.port}`, target.simulator.url]) {
    if (text.includes(address)) found.push(`the simulator's address (${address})`);
  }
  return found;
}

const describe = (answer: Answer) => `${answer.status} ${answer.body.slice(0, 600)}`;

interface GraphQLErrorShape { message?: unknown; extensions?: { code?: unknown } }
interface GraphQLBody { data?: unknown; errors?: GraphQLErrorShape[] }

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Every error of a GraphQL answer is an object with a message and an `extensions.code`. */
export function errorProblems(errors: unknown, where: string): string[] {
  if (!Array.isArray(errors) || errors.length === 0) return [`${where}: no errors`];
  return (errors as GraphQLErrorShape[]).flatMap((e, i) => {
    if (typeof e?.message !== 'string' || typeof e.extensions?.code !== 'string' || e.extensions.code === '') return [`${where}: error ${i} has no extensions.code`];
    // A masked crash: a 500 in all but status.
    return e.extensions.code === 'INTERNAL_SERVER_ERROR' ? [`${where}: error ${i} is INTERNAL_SERVER_ERROR`] : [];
  });
}

/**
 * GraphQL over HTTP: a 4xx, or (only to `accept: application/json`) a 200 whose
 * body (every entry of a batch) has errors and no data; never a 5xx, never
 * silence; every error has a code; nothing leaks.
 */
export function checkGraphQL(answer: Answer, target: Target, accept: 'json' | 'graphql-response'): string[] {
  const problems = [...leaks(answer.body, target), ...leaks(JSON.stringify(answer.headers), target)].map((l) => `the answer leaks ${l}: ${describe(answer)}`);
  if (answer.status === 0) return [...problems, `no answer within ${ANSWER_MS} ms`];
  if (answer.status === -1) return [...problems, `the connection ended without an answer: ${answer.body}`];
  const body = parseJson(answer.body) as GraphQLBody | GraphQLBody[] | undefined;
  if (answer.status >= 500) problems.push(`a ${answer.status}: ${describe(answer)}`);
  else if (answer.status < 400) {
    if (answer.status !== 200 || accept !== 'json') problems.push(`a ${answer.status} to accept ${accept}: ${describe(answer)}`);
    else if (body === undefined) problems.push(`a 200 that is not JSON: ${describe(answer)}`);
    else {
      for (const entry of Array.isArray(body) ? body : [body]) {
        if (entry.data !== undefined && entry.data !== null) problems.push(`data in the answer: ${describe(answer)}`);
        problems.push(...errorProblems(entry.errors, describe(answer)));
      }
    }
  }
  if (answer.status >= 400 && body !== undefined && !Array.isArray(body) && 'errors' in body) problems.push(...errorProblems(body.errors, describe(answer)));
  return problems;
}

/** REST: a 4xx with a JSON `{ "detail" }` body (or an empty one, when Node's HTTP parser refused the request); nothing leaks. */
export function checkRest(answer: Answer, target: Target): string[] {
  const problems = leaks(answer.body, target).map((l) => `the answer leaks ${l}: ${describe(answer)}`);
  if (answer.status === 0) return [...problems, `no answer within ${ANSWER_MS} ms`];
  if (answer.status === -1) return [...problems, `the connection ended without an answer: ${answer.body}`];
  if (answer.status < 400 || answer.status >= 500) problems.push(`a ${answer.status}: ${describe(answer)}`);
  const body = parseJson(answer.body) as { detail?: unknown } | undefined;
  if (answer.body !== '' && typeof body?.detail !== 'string') problems.push(`no { "detail" } body: ${describe(answer)}`);
  return problems;
}
