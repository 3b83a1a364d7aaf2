// TGI's Messages API (/v1/chat/completions, /v1/completions) as jobs for the generation
// entry. TGI turns such a request into a /generate one: chat messages through the template,
// max_tokens as max_new_tokens, temperature 0 as greedy. Validation, the permit and the
// tokens are then exactly /generate's; only the bodies differ.

import type { WireError } from '../../upstream/tgi/wire.ts';
import { completionText } from '../core/completion-text.ts';
import type { SimulatorContext } from '../core/context.ts';
import { stringifyJson, type JsonValue } from '../core/json.ts';
import { BodyError, decodeOpenAiRequest, renderedPrompt, type OpenAiKind, type OpenAiRequest } from '../core/openai-style-request.ts';
import type { PreparedGeneration } from '../core/prepared-generation.ts';
import type { GenerationFaults } from '../core/faults.ts';
import { piecesOf, toolAnswer, type ToolAnswer } from '../core/tool-answer.ts';
import { usageOf, type Usage } from '../core/usage.ts';
import { GENERATION_FAILED } from './errors.ts';
import type { GenerationRequest } from './generate-request.ts';
import type { GenerationJob } from './generation-job.ts';
import { TGI_VERSION } from './identity.ts';
import * as bodies from './messages-bodies.ts';

function toGenerationRequest(request: OpenAiRequest): GenerationRequest {
  if (request.seed !== null && request.seed < 0n) {
    throw new BodyError('seed', `seed: invalid value: integer \`${request.seed}\`, expected u64`);
  }
  const greedy = request.temperature === 0;
  return {
    inputs: renderedPrompt(request),
    stream: request.stream,
    parameters: {
      bestOf: null, temperature: greedy ? null : request.temperature, repetitionPenalty: request.repetitionPenalty,
      frequencyPenalty: request.frequencyPenalty, topK: null, topP: request.topP, typicalP: null, doSample: !greedy,
      maxNewTokens: request.maxTokens, returnFullText: false, stop: request.stop, truncate: null, watermark: false,
      details: false, decoderInputDetails: false, seed: request.seed, topNTokens: null,
    },
  };
}

interface Outcome {
  text: ReturnType<typeof completionText>;
  usage: Usage;
}

function outcomeOf({ validated, plan }: PreparedGeneration, answer: ToolAnswer): Outcome {
  const usage = usageOf(validated.inputLength, plan.main.tokens.length);
  if (answer.kind === 'text') return { text: completionText(plan.main, validated.stop, false), usage };
  const text = answer.kind === 'fixed' ? answer.text : answer.arguments;
  return { text: { pieces: piecesOf(text, plan.main.tokens.length), text, finishReason: 'stop', stopString: null }, usage };
}

/** TGI's refusals of a tool request (its router's tool errors, 422). */
function toolError(request: OpenAiRequest): WireError | null {
  const { tools, toolChoice, json } = request.structured;
  if (tools.length > 0 && json !== null) return { error: 'Tool error: Grammar and tools are mutually exclusive', error_type: 'tool_error' };
  if (toolChoice !== null && typeof toolChoice === 'object' && !tools.some((t) => t.name === toolChoice.name)) {
    return { error: `Tool error: Tool with name ${toolChoice.name} not found`, error_type: 'tool_error' };
  }
  return null;
}

/** Every failure in a Messages stream is one error event, then `[DONE]`. */
const failWith = (error: WireError): string[] => [stringifyJson(bodies.streamError(error)), '[DONE]'];

export function messagesJob(
  context: SimulatorContext,
  json: JsonValue,
  kind: OpenAiKind,
  faults: GenerationFaults,
): GenerationJob | { error: string } | { refusal: WireError } {
  let request: OpenAiRequest;
  let generation: GenerationRequest;
  try {
    request = decodeOpenAiRequest(json, kind, 'tgi');
    generation = toGenerationRequest(request);
  } catch (error) {
    if (error instanceof BodyError) return { error: error.message };
    throw error;
  }
  const refusal = toolError(request);
  if (refusal) return { refusal };
  const answer = toolAnswer(request.structured, request.messages ?? [], request.seed, faults.badJson);
  const meta: bodies.MessagesMeta = { model: context.options.modelId, fingerprint: `${TGI_VERSION}-native` };
  const includeUsage = request.streamOptions?.includeUsage === true;
  return {
    request: generation,
    streaming: request.stream,
    stream: {
      rejected: failWith,
      events: (prepared) => {
        const { text, usage } = outcomeOf(prepared, answer);
        const last = text.pieces.length - 1;
        const chunk = (position: number): unknown => {
          const piece = text.pieces[position] ?? '';
          // TGI states no finish reason after a call.
          if (answer.kind === 'call') return bodies.toolCallChunk(meta, position === 0 ? answer.name : null, piece);
          const finish = position === last ? text.finishReason : null;
          return kind === 'chat' ? bodies.chatChunk(meta, piece, finish) : bodies.textChunk(meta, piece, finish);
        };
        return {
          token: (position) => [stringifyJson(chunk(position))],
          finish: () => [...(includeUsage && kind === 'chat' ? [stringifyJson(bodies.chatUsageChunk(meta, usage))] : []), '[DONE]'],
          failure: () => failWith(GENERATION_FAILED),
        };
      },
    },
    render: (prepared) => {
      const { text, usage } = outcomeOf(prepared, answer);
      if (kind === 'chat' && answer.kind === 'call') return bodies.chatCompletion(meta, bodies.toolCallMessage(answer.name, text.text), 'stop', usage);
      return kind === 'chat'
        ? bodies.chatCompletion(meta, text.text, text.finishReason, usage)
        : bodies.textCompletion(meta, text.text, text.finishReason, usage);
    },
  };
}
