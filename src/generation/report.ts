// What one generation request came to, told once when it is over: to the
// metrics and to the access log. Requests refused before a generation began
// are told too, as refusals.
import type { Caller } from '../access/caller.ts';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { RoutingReason } from '../routing/choose.ts';
import type { Protocol } from '../upstream/types.ts';
import type { AnswerVerdict, JsonFormat, ToolChoiceKind } from './answer-verdict.ts';

/**
 * The generation operations (one each per request): GraphQL's fields, whose
 * names /v1/chat/completions shares; /v1/completions is `completions`.
 */
export type Operation = 'generate' | 'generateStream' | 'chat' | 'chatStream' | 'completions' | 'completionsStream';

const STREAMED: ReadonlySet<Operation> = new Set(['generateStream', 'chatStream', 'completionsStream']);

/** Whether the operation relays its tokens as they come (a stream), rather than one answer. */
export function isStreamed(operation: Operation): boolean {
  return STREAMED.has(operation);
}
/** Where the request came in: GraphQL over HTTP, SSE or graphql-ws; REST; the OpenAI-compatible API (/v1). */
export type Transport = 'http' | 'sse' | 'ws' | 'rest' | 'openai';

/** Who asks, and how: known from the start and carried to the end. */
export interface RequestInfo {
  readonly caller: Caller;
  readonly requestId: string;
  readonly operation: Operation;
  readonly transport: Transport;
  /** The caller's valid W3C `traceparent`, continued upstream. */
  readonly traceparent?: string | undefined;
}

/**
 * How a generation ended: `completed`; `client_left` (unsubscribed,
 * disconnected); `timeout` (a time budget); `error` (upstream, shutdown).
 */
export type Ending = 'completed' | 'client_left' | 'timeout' | 'error';

export interface GenerationReport {
  readonly request: RequestInfo;
  readonly model: string;
  /** How the model's servers are spoken to. */
  readonly protocol: Protocol;
  /** The replica that answered, when one did. */
  readonly replica: string | undefined;
  /** Why the last attempt went to its replica (`prefix`, `load`, `fallback`); undefined when none was tried. */
  readonly routing?: RoutingReason | undefined;
  /** `OK`, `CANCELLED` for a client that left, or the error's code. */
  readonly code: 'OK' | 'CANCELLED' | ErrorCode;
  readonly ending: Ending;
  readonly attempts: number;
  /** Times a stream went on from another replica after its own failed (STREAM_FAILOVER). */
  readonly continuations: number;
  /** Prompt tokens, where the model server reported them; null otherwise. */
  readonly promptTokens: number | null;
  readonly generatedTokens: number;
  readonly timeToFirstTokenMs: number | null;
  readonly totalMs: number;
}

/** A whole chat answer's verdict, and whose answer it was (answer-report.ts). */
export interface AnswerReport extends AnswerVerdict {
  readonly request: RequestInfo;
  readonly model: string;
  readonly protocol: Protocol;
  /** Undefined when the request offered no tools. */
  readonly toolChoice: ToolChoiceKind | undefined;
  /** Undefined when the request asked no JSON. */
  readonly format: JsonFormat | undefined;
}

/** A request the service turned away before any model server was asked: bad input, limits, permissions, draining. */
export interface GenerationRefusal {
  readonly stage: 'admission';
  readonly request: RequestInfo;
  /** The model asked for; UNKNOWN_MODEL for an id of none (metrics label only models that exist). */
  readonly model: string;
  /** How the model's servers are spoken to; null for a model that does not exist. */
  readonly protocol: Protocol | null;
  readonly code: 'CANCELLED' | ErrorCode;
  /** `client_left`: the client went away while it was being admitted, which is no refusal of ours. */
  readonly ending: 'refused' | 'client_left';
}

export interface GenerationObserver {
  /** Called once per generation that began, when it is over. */
  finished(report: GenerationReport): void;
  /** Called once per request refused before its generation began. */
  refused(refusal: GenerationRefusal): void;
  /** Called once per whole chat answer that offered tools, asked JSON or holds calls, when it is checked. */
  checked(answer: AnswerReport): void;
}

/** Nothing observes: the default, and what tests use. */
export const NO_OBSERVER: GenerationObserver = { finished: () => undefined, refused: () => undefined, checked: () => undefined };

/** The ending and code of a generation that failed with `error` (undefined: it completed). */
export function endingOf(error: unknown): { ending: Ending; code: GenerationReport['code'] } {
  if (error === undefined) return { ending: 'completed', code: 'OK' };
  const code = failureCode(error);
  return { ending: code === 'CANCELLED' ? 'client_left' : code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'error', code };
}

/** `CANCELLED` for a client that left, the code of a GatewayError, else INTERNAL_SERVER_ERROR. */
export function failureCode(error: unknown): 'CANCELLED' | ErrorCode {
  if (error instanceof GatewayError) return error.code;
  // An AbortError of the client's (unsubscribe, disconnect): no error of anyone's.
  if (error instanceof DOMException && error.name === 'AbortError') return 'CANCELLED';
  return 'INTERNAL_SERVER_ERROR';
}
