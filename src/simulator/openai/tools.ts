// vLLM's tool calling: the 400s it answers to tool requests it cannot serve,
// and the shape of a call in its answer and its stream. A call streams as a
// first delta with the id, type and name, then argument pieces (index 0,
// `function.arguments` only), then a chunk with the finish reason:
// `tool_calls` when the model chose the tool, `stop` when it was forced by
// name (guided decoding), as vLLM reports them.
import type { OpenAiRequest } from '../core/openai-style-request.ts';
import { badRequest, type OpenAiError } from './errors.ts';

/** vLLM's refusals of a tool request, before any generation. */
export function toolRequestError(request: OpenAiRequest, autoToolChoice: boolean): OpenAiError | null {
  const { tools, toolChoice } = request.structured;
  if (toolChoice !== null && toolChoice !== 'none' && tools.length === 0) {
    return badRequest('When using `tool_choice`, `tools` must be set.', 'tool_choice');
  }
  if (toolChoice !== null && typeof toolChoice === 'object' && !tools.some((t) => t.name === toolChoice.name)) {
    return badRequest(`Tool '${toolChoice.name}' has not been passed in \`tools\`.`, 'tool_choice');
  }
  if (tools.length > 0 && (toolChoice === 'auto' || toolChoice === null) && !autoToolChoice) {
    return badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', 'tool_choice');
  }
  return null;
}

/** vLLM's call ids: `chatcmpl-tool-` and hex. */
export const callId = (responseId: string): string => `chatcmpl-tool-${responseId.slice(-24)}`;

export const firstCallDelta = (id: string, name: string) => ({ tool_calls: [{ id, type: 'function', index: 0, function: { name } }] });

export const argumentsDelta = (piece: string) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] });

export const callMessage = (id: string, name: string, args: string) => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name, arguments: args } }],
});
