// TGI's native generation routes as jobs for the generation entry: the request decoded the
// way TGI's serde types do, and the bodies of /generate, /generate_stream and POST /.

import { stringifyJson, type JsonValue } from '../core/json.ts';
import { GENERATION_FAILED } from './errors.ts';
import { decodeGenerationRequest } from './generate-request.ts';
import type { GenerationJob } from './generation-job.ts';
import { generateBody, streamEvent, type BodyRequest } from './native-bodies.ts';

type NativeRoute = 'generate' | 'stream' | 'compat';

export function nativeJob(json: JsonValue, route: NativeRoute): GenerationJob | { error: string } {
  const decoded = decodeGenerationRequest(json, route === 'compat');
  if (!decoded.ok) return { error: decoded.message };
  const request = decoded.request;
  // POST / echoes the prompt by default for text-generation models.
  const returnFullText = request.parameters.returnFullText ?? route === 'compat';
  const bodyRequest = (promptTokens: BodyRequest['promptTokens'], decoderInputDetails: boolean): BodyRequest => ({
    inputs: request.inputs,
    returnFullText,
    details: request.parameters.details,
    decoderInputDetails,
    promptTokens,
  });
  return {
    request,
    streaming: route === 'stream' || (route === 'compat' && request.stream),
    stream: {
      rejected: (error) => [stringifyJson(error)],
      events: ({ validated, plan }) => {
        const body = bodyRequest(validated.promptTokens, false);
        return {
          token: (position) => [stringifyJson(streamEvent(body, plan, position, validated.inputLength))],
          finish: () => [],
          failure: () => [stringifyJson(GENERATION_FAILED)],
        };
      },
    },
    render: ({ validated, plan }) => {
      const body = generateBody(bodyRequest(validated.promptTokens, request.parameters.decoderInputDetails), plan);
      return route === 'compat' ? [body] : body;
    },
  };
}
