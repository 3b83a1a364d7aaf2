// A chat stream as clients receive it: each call's deltas with its id and
// name once and an index of its own (0, 1, … in the order calls began,
// whatever indices the server used), its arguments so far as a partial value, a JSON answer's content
// so far as one, and on the last event the calls assembled and checked as
// `chat` returns them. The wrapper maps each event as it is pulled and passes
// return() and cancel() straight through, so that ending the stream still
// aborts the upstream request at once. The answer's verdict (answer-verdict.ts)
// is told once, on the last event: a JSON answer's content is checked then, off
// the client's way, from its pieces (kept only for a JSON answer).
import type { ChatDelta, ToolCall } from '../upstream/types.ts';
import { callVerdicts, checkContent, checkToolCall } from './answer-checks.ts';
import type { AnswerVerdict } from './answer-verdict.ts';
import { CallIds } from './call-ids.ts';
import type { ChatEvent, TypedToolCallDelta } from './chat-answer.ts';
import { PartialJson } from './partial-json.ts';
import type { AnswerChecks } from './tool-rules.ts';

/** The service's GenerationStream, restated here so that the service may import this file. */
interface GenerationStream<E> extends AsyncGenerator<E, void, undefined> {
  cancel(reason: unknown): void;
}

interface CallSoFar {
  /** The id the server gave on the call's first delta, if any. */
  serverId: string | undefined;
  id: string;
  name: string;
  /** The argument pieces, joined once at the end. */
  pieces: string[];
  partial: PartialJson;
}

/** `tell` hears the answer's verdict once, when the stream reaches its last event (a stream cut before has none). */
export function typedChatStream(
  stream: GenerationStream<ChatDelta>,
  checks: AnswerChecks,
  tell: (verdict: AnswerVerdict) => void = () => undefined,
): GenerationStream<ChatEvent> {
  /** Each call by its index in this answer. */
  const calls = new Map<number, CallSoFar>();
  /** The server's index → ours: a server that reuses an index for a new call (a new id) gets a new one. */
  const slots = new Map<number, number>();
  const ids = new CallIds();
  const content = checks.content.kind === 'json' ? new PartialJson() : undefined;
  /** A JSON answer's text, joined and checked once at the end as chat's is. */
  const contentPieces: string[] | undefined = content ? [] : undefined;
  let told = false;

  const callDelta = (delta: ChatDelta['toolCallDeltas'][number]): TypedToolCallDelta => {
    let index = slots.get(delta.index);
    let call = index === undefined ? undefined : calls.get(index);
    if (call && delta.id !== undefined && call.serverId !== undefined && delta.id !== call.serverId) call = undefined;
    const first = call === undefined;
    if (!call) {
      index = calls.size;
      slots.set(delta.index, index);
      call = { serverId: delta.id, id: ids.take(delta.id), name: delta.name ?? '', pieces: [], partial: new PartialJson() };
      calls.set(index, call);
    }
    call.pieces.push(delta.argumentsDelta);
    call.partial.push(delta.argumentsDelta);
    const typed: TypedToolCallDelta = { index: index!, argumentsDelta: delta.argumentsDelta, partialArguments: call.partial.value ?? null };
    if (first) {
      typed.id = call.id;
      typed.name = call.name;
    }
    return typed;
  };

  const typed = (event: ChatDelta): { event: ChatEvent; assembled: ToolCall[] | null } => {
    const toolCallDeltas = event.toolCallDeltas.map(callDelta);
    if (content && event.delta.length > 0) {
      content.push(event.delta);
      contentPieces!.push(event.delta);
    }
    const last = event.finishReason !== null;
    if (last) {
      content?.end();
      for (const call of calls.values()) call.partial.end();
    }
    const assembled = last
      ? [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]): ToolCall => ({ id: c.id, name: c.name, arguments: c.pieces.join('') }))
      : null;
    const typedEvent: ChatEvent = {
      delta: event.delta,
      toolCallDeltas,
      // Whatever the server said (vLLM: `stop` after a named call; TGI: none), an answer of calls ends with TOOL_CALLS.
      finishReason: last && calls.size > 0 ? 'TOOL_CALLS' : event.finishReason,
      usage: event.usage,
      toolCalls: assembled === null ? null : [],
      partialContent: content?.value ?? null,
    };
    return { event: typedEvent, assembled };
  };

  const mapped = async (read: Promise<IteratorResult<ChatDelta, void>>): Promise<IteratorResult<ChatEvent, void>> => {
    const result = await read;
    if (result.done) return result;
    const { event, assembled } = typed(result.value);
    // Only the last event waits: for its calls, checked in the schema worker.
    if (assembled && assembled.length > 0) {
      const judged = await Promise.all(assembled.map((call) => checkToolCall(call, checks)));
      event.toolCalls = judged.map((j) => j.call);
      verdict({ toolCalls: callVerdicts(judged), content: undefined });
    } else if (assembled) {
      verdict({ toolCalls: [], content: undefined });
    }
    return { done: false, value: event };
  };

  /** Told once; a JSON answer of text is checked first, without holding its last event back. */
  const verdict = (ofCalls: AnswerVerdict): void => {
    if (told) return;
    told = true;
    if (ofCalls.toolCalls.length > 0 || contentPieces === undefined) return tell(ofCalls);
    // Told after the stream may have ended: nobody awaits this, and an observer's failure must not end the process.
    void checkContent(contentPieces.join(''), checks)
      .then(({ outcome }) => tell({ toolCalls: [], content: outcome }))
      .catch(() => undefined);
  };

  const wrapper: GenerationStream<ChatEvent> = {
    next: () => mapped(stream.next()),
    return: (value) => mapped(stream.return(value)),
    throw: (error) => mapped(stream.throw(error)),
    cancel: (reason) => stream.cancel(reason),
    [Symbol.asyncIterator]() {
      return this;
    },
    [Symbol.asyncDispose]: () => stream[Symbol.asyncDispose](),
  };
  return wrapper;
}
