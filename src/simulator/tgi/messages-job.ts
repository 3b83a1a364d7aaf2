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

function outcomeOf({ validated, plan }: PreparedGeneration): Outcome {
  return {
    text: completionText(plan.main, validated.stop, false),
    usage: usageOf(validated.inputLength, plan.main.tokens.length),
  };
}

/** Every failure in a Messages stream is one error event, then `[DONE]`. */
const failWith = (error: WireError): string[] => [stringifyJson(bodies.streamError(error)), '[DONE]'];

export function messagesJob(context: SimulatorContext, json: JsonValue, kind: OpenAiKind): GenerationJob | { error: string } {
  let request: OpenAiRequest;
  let generation: GenerationRequest;
  try {
    request = decodeOpenAiRequest(json, kind);
    generation = toGenerationRequest(request);
  } catch (error) {
    if (error instanceof BodyError) return { error: error.message };
    throw error;
  }
  const meta: bodies.MessagesMeta = { model: context.options.modelId, fingerprint: `${TGI_VERSION}-native` };
  const includeUsage = request.streamOptions?.includeUsage === true;
  return {
    request: generation,
    streaming: request.stream,
    stream: {
      rejected: failWith,
      events: (prepared) => {
        const { text, usage } = outcomeOf(prepared);
        const last = text.pieces.length - 1;
        const chunk = (position: number): unknown => {
          const piece = text.pieces[position] ?? '';
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
      const { text, usage } = outcomeOf(prepared);
      return kind === 'chat'
        ? bodies.chatCompletion(meta, text.text, text.finishReason, usage)
        : bodies.textCompletion(meta, text.text, text.finishReason, usage);
    },
  };
}
