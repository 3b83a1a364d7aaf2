// A Chat Completions body (POST /v1/chat/completions) as the generation
// service's chat input: OpenAI's names read onto the one ChatInput, text
// content parts joined, tools and formats read (chat-tools.ts), and what
// cannot be relayed refused by name.
import { z } from 'zod';
import type { ChatInput, ChatMessageInput } from '../../generation/input.ts';
import { toolCallInput, ToolCallField, toolChatFields, TOOL_FIELDS } from './chat-tools.ts';
import { unsupported } from './errors.ts';
import { COMMON_FIELDS, COMMON_REFUSALS, defined, readFields, refuseUnrelayed, stopList, type Refusals } from './request-fields.ts';

/** How the answer is to be sent, beside what is to be generated. */
export interface ChatRequest {
  readonly input: ChatInput;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a usage chunk before `[DONE]`. */
  readonly includeUsage: boolean;
}

const ContentPart = z.looseObject({ type: z.string({ error: 'must be a string' }), text: z.string({ error: 'must be a string' }).optional() }, { error: 'must be an object' });

const Message = z.looseObject(
  {
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], { error: 'must be one of system, developer, user, assistant, tool' }),
    content: z.union([z.string(), z.array(ContentPart)], { error: 'must be a string or a list of content parts' }).nullish(),
    tool_calls: z.array(ToolCallField, { error: 'must be a list of tool calls' }).nullish(),
    tool_call_id: z.string({ error: 'must be a string' }).nullish(),
  },
  { error: 'must be an object' },
);

const ChatBody = z.object({
  ...COMMON_FIELDS,
  messages: z.array(Message, { error: 'is required and must be a list of messages' }),
  max_completion_tokens: COMMON_FIELDS.max_tokens,
  ...TOOL_FIELDS,
});

const FUNCTIONS = 'the deprecated functions API is not relayed: use tools';

/** Understood, not relayed: refused naming the field. */
const CHAT_REFUSALS: Refusals = [
  ...COMMON_REFUSALS,
  ['logprobs', 'logprobs are not relayed by this gateway'],
  ['top_logprobs', 'logprobs are not relayed by this gateway'],
  ['audio', 'audio output is not relayed by this gateway'],
  ['modalities', 'only text output is relayed by this gateway', (value) => Array.isArray(value) && value.every((m) => m === 'text')],
  ['prediction', 'predicted outputs are not relayed by this gateway'],
  ['web_search_options', 'web search is not offered by this gateway'],
  ['functions', FUNCTIONS],
  ['function_call', FUNCTIONS, (value) => value === 'none' || value === 'auto'],
];

const ROLES = { system: 'SYSTEM', developer: 'SYSTEM', user: 'USER', assistant: 'ASSISTANT', tool: 'TOOL' } as const;

export function readChatRequest(body: unknown): ChatRequest {
  const fields = readFields(ChatBody, body);
  refuseUnrelayed(body as Record<string, unknown>, CHAT_REFUSALS);
  const input: ChatInput = {
    modelId: fields.model,
    messages: fields.messages.map(messageInput),
    ...defined({
      maxTokens: fields.max_completion_tokens ?? fields.max_tokens,
      temperature: fields.temperature,
      topP: fields.top_p,
      stop: stopList(fields.stop),
      seed: fields.seed,
      frequencyPenalty: fields.frequency_penalty,
      presencePenalty: fields.presence_penalty,
    }),
    ...toolChatFields(fields),
  };
  return { input, stream: fields.stream === true, includeUsage: fields.stream_options?.include_usage === true };
}

function messageInput(message: z.output<typeof Message>, index: number): ChatMessageInput {
  const at = `messages[${index}]`;
  if (message.role === 'function') throw unsupported(`${at}.role`, `${at}.role: ${FUNCTIONS}`);
  const input: ChatMessageInput = { role: ROLES[message.role], content: contentText(message.content, `${at}.content`) };
  // Set only where given: the service refuses them on any other role, naming the message.
  if (message.tool_calls && message.tool_calls.length > 0) input.toolCalls = message.tool_calls.map(toolCallInput);
  if (message.tool_call_id !== null && message.tool_call_id !== undefined) input.toolCallId = message.tool_call_id;
  return input;
}

/** Text parts joined by newlines (as vLLM joins them); any other part is refused by its kind. */
function contentText(content: z.output<typeof Message>['content'], param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  return content
    .map((part, i) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      const what = part.type === 'image_url' ? 'images are' : part.type === 'input_audio' ? 'audio is' : part.type === 'file' ? 'files are' : `content parts of type "${part.type}" are`;
      throw unsupported(`${param}[${i}]`, `${param}[${i}]: ${what} not relayed by this gateway; only text parts are`);
    })
    .join('\n');
}
