// A chat answer as the gateway hands it on: the server's answer (calls and
// text), checked by the gateway against the schemas the client sent (see
// answer-checks.ts), and for a stream, typed as it fills in (partial-json.ts).
import type { ChatDelta, ChatOutput, JsonValue, ToolCall, ToolCallDelta } from '../upstream/types.ts';

/** A call, its arguments parsed (null when not JSON) and checked against its tool's parameters. */
export interface CheckedToolCall extends ToolCall {
  parsedArguments: JsonValue | null;
  /** Where the arguments break the tool's schema; empty when they hold. */
  validationErrors: string[];
}

export interface ChatAnswer extends Omit<ChatOutput, 'toolCalls'> {
  toolCalls: CheckedToolCall[];
  /** JSON answers (JSON_OBJECT / JSON_SCHEMA): the content parsed, null when not JSON; null for text. */
  parsedContent: JsonValue | null;
  /** Where the content breaks the JSON_SCHEMA; empty when it holds or none was asked. */
  validationErrors: string[];
}

/**
 * Partial values (`partialArguments`, `partialContent`) grow in place as the
 * stream goes on, so that each delta costs its own length: a consumer that
 * keeps an event past the next read copies them (the JSON scalar does).
 */
export interface TypedToolCallDelta extends ToolCallDelta {
  /** The call's arguments so far, as a stream-stable partial JSON value. */
  partialArguments: JsonValue | null;
}

/** One event of a chat stream as clients receive it. */
export interface ChatEvent extends Omit<ChatDelta, 'toolCallDeltas'> {
  toolCallDeltas: TypedToolCallDelta[];
  /** On the last event only: the calls assembled from their deltas, checked as chat's are. */
  toolCalls: CheckedToolCall[] | null;
  /** JSON answers: the content so far as a partial JSON value; null otherwise. */
  partialContent: JsonValue | null;
}
