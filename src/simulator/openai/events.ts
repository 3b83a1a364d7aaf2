// What a vLLM stream sends at each token, and what its non-stream answer is, for one
// prepared request. The tokens are the plan's; the text is cut before a matched stop string
// (vLLM's default), and empty deltas are not sent except on the chunk that finishes.

import { completionText, type CompletionText } from '../core/completion-text.ts';
import { stringifyJson } from '../core/json.ts';
import type { OpenAiRequest } from '../core/openai-style-request.ts';
import type { PreparedGeneration } from '../core/prepared-generation.ts';
import type { AnswerWire } from '../core/token-answer.ts';
import type { StreamEvents } from '../core/token-stream.ts';
import { promptText } from '../core/tokenizer.ts';
import { piecesOf, type ToolAnswer } from '../core/tool-answer.ts';
import { usageOf, type Usage } from '../core/usage.ts';
import * as bodies from './bodies.ts';
import { GENERATION_CRASHED } from './errors.ts';
import { argumentsDelta, callId, callMessage, firstCallDelta } from './tools.ts';

interface Outcome {
  text: CompletionText;
  ending: bodies.Ending;
  /** Undefined when the server reports none (`reportsUsage: false`): the field is left out. */
  usage: Usage | undefined;
  /** What `echo` puts before the completion: the prompt as the model saw it. */
  echoed: string;
}

/** The text a tool answer writes instead of the plan's: a JSON answer, a result told back, or a call's arguments. */
function answerText(plan: PreparedGeneration['plan'], answer: ToolAnswer): CompletionText | null {
  if (answer.kind === 'text') return null;
  const text = answer.kind === 'fixed' ? answer.text : answer.arguments;
  return { pieces: piecesOf(text, plan.main.tokens.length), text, finishReason: 'stop', stopString: null };
}

function outcomeOf(request: OpenAiRequest, { validated, plan }: PreparedGeneration, reportsUsage: boolean, answer: ToolAnswer): Outcome {
  const text = answerText(plan, answer) ?? completionText(plan.main, validated.stop, true);
  const finish = answer.kind === 'call' && !answer.named ? 'tool_calls' : text.finishReason;
  return {
    text,
    ending: { finish_reason: finish, stop_reason: text.stopString },
    usage: reportsUsage ? usageOf(validated.inputLength, plan.main.tokens.length) : undefined,
    echoed: request.echo ? promptText(validated.promptTokens) : '',
  };
}

const DONE = '[DONE]';
const failure = (): string[] => [stringifyJson(GENERATION_CRASHED.body), DONE];

/**
 * How a server frames its stream: vLLM puts the finish on the last token's chunk and lists
 * token ids when asked; llama.cpp sends the finish in a chunk of its own, of empty text, and
 * knows no `return_token_ids`.
 */
export interface StreamFraming {
  endApart: boolean;
}

export const VLLM_FRAMING: StreamFraming = { endApart: false };

export function vllmStreamEvents(
  request: OpenAiRequest,
  prepared: PreparedGeneration,
  meta: bodies.VllmMeta,
  reportsUsage: boolean,
  answer: ToolAnswer = { kind: 'text' },
  framing: StreamFraming = VLLM_FRAMING,
): StreamEvents {
  const outcome = outcomeOf(request, prepared, reportsUsage, answer);
  const { pieces } = outcome.text;
  const tokens = prepared.plan.main.tokens;
  const last = framing.endApart ? -1 : pieces.length - 1;
  const chat = request.kind === 'chat';
  const returnTokenIds = request.returnTokenIds && !framing.endApart;
  const ending = (): string[] => {
    if (!framing.endApart) return [];
    const payload = chat
      ? bodies.chatChunk(meta, {}, outcome.ending)
      : bodies.completionChunk(meta, { text: '', ending: outcome.ending });
    return [stringifyJson(payload)];
  };
  const token = (position: number): string[] => {
    const piece = (position === 0 ? outcome.echoed : '') + (pieces[position] ?? '');
    const ending = position === last ? outcome.ending : null;
    const payloads: unknown[] = [];
    if (chat && answer.kind === 'call') {
      if (position === 0) {
        payloads.push(bodies.chatChunk(meta, { role: 'assistant', content: '' }, null));
        payloads.push(bodies.chatChunk(meta, firstCallDelta(callId(meta.id), answer.name), null));
      }
      if (piece !== '') payloads.push(bodies.chatChunk(meta, argumentsDelta(piece), null));
      if (ending !== null) payloads.push(bodies.chatChunk(meta, {}, ending));
    } else if (chat) {
      if (position === 0) payloads.push(bodies.chatChunk(meta, { role: 'assistant', content: '' }, null));
      if (piece !== '' || ending !== null) payloads.push(bodies.chatChunk(meta, piece === '' ? {} : { content: piece }, ending));
    } else if (piece !== '' || ending !== null || returnTokenIds) {
      const ids = returnTokenIds ? { tokenIds: [tokens[position]?.id ?? 0] } : {};
      const promptIds = returnTokenIds && position === 0 ? { promptTokenIds: prepared.validated.promptTokens.map((t) => t.id) } : {};
      payloads.push(bodies.completionChunk(meta, { text: piece, ending, ...ids, ...promptIds }));
    }
    return payloads.map((payload) => stringifyJson(payload));
  };
  return {
    token,
    finish: () => {
      if (request.streamOptions?.includeUsage !== true || outcome.usage === undefined) return [...ending(), DONE];
      const object = chat ? 'chat.completion.chunk' : 'text_completion';
      return [...ending(), stringifyJson(bodies.usageChunk(meta, object, outcome.usage)), DONE];
    },
    failure,
  };
}

export function vllmAnswer(
  request: OpenAiRequest,
  prepared: PreparedGeneration,
  meta: bodies.VllmMeta,
  reportsUsage: boolean,
  answer: ToolAnswer = { kind: 'text' },
): AnswerWire {
  return {
    success: () => {
      const outcome = outcomeOf(request, prepared, reportsUsage, answer);
      const text = outcome.echoed + outcome.text.text;
      if (request.kind === 'chat' && answer.kind === 'call') {
        return { status: 200, body: bodies.chatBody(meta, callMessage(callId(meta.id), answer.name, text), outcome.ending, outcome.usage) };
      }
      if (request.kind === 'chat') return { status: 200, body: bodies.chatBody(meta, text, outcome.ending, outcome.usage) };
      const ids = request.returnTokenIds
        ? { tokenIds: prepared.plan.main.tokens.map((t) => t.id), promptTokenIds: prepared.validated.promptTokens.map((t) => t.id) }
        : {};
      return { status: 200, body: bodies.completionBody(meta, { text, ending: outcome.ending, ...ids }, outcome.usage) };
    },
    failure: () => ({ status: GENERATION_CRASHED.status, body: GENERATION_CRASHED.body }),
  };
}
