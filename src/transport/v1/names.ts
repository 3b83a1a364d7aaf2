// The service names fields as GraphQL does (maxTokens, topP); an OpenAI client
// wrote them under OpenAI's names (max_tokens, top_p). Its refusals name the
// field the client wrote, in `param` and in the message.

/** The service's field → the OpenAI request field it came from. */
const OPENAI_NAMES: ReadonlyMap<string, string> = new Map([
  ['modelId', 'model'],
  ['maxTokens', 'max_tokens'],
  ['maxNewTokens', 'max_tokens'],
  ['topP', 'top_p'],
  ['frequencyPenalty', 'frequency_penalty'],
  ['presencePenalty', 'presence_penalty'],
  ['returnFullText', 'echo'],
  ['toolChoice', 'tool_choice'],
  ['parallelToolCalls', 'parallel_tool_calls'],
  ['responseFormat', 'response_format'],
  ['toolCalls', 'tool_calls'],
  ['toolCallId', 'tool_call_id'],
]);

const SERVICE_NAME = new RegExp(`\\b(?:${[...OPENAI_NAMES.keys()].join('|')})\\b`, 'g');

/** A field of the service as the OpenAI client named it. */
export function clientParam(field: string): string {
  return OPENAI_NAMES.get(field) ?? field;
}

/** An input refusal worded with the client's names (a token limit names several fields). */
export function clientWording(message: string): string {
  return message.replace(SERVICE_NAME, (name) => OPENAI_NAMES.get(name) ?? name);
}
