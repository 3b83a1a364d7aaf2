// The answer checked against what the client asked (API.md § Tool calls,
// "Checked after the answer"): each call's arguments parsed and held to its
// tool's parameters schema, a JSON answer parsed and held to its schema. A
// server without grammar enforcement may write broken JSON: the client learns
// it here instead of from its own parser.
import type { ChatOutput, JsonValue, ToolCall } from '../upstream/types.ts';
import { CallIds } from './call-ids.ts';
import type { ChatAnswer, CheckedToolCall } from './chat-answer.ts';
import { checkAgainst } from './schema-checker.ts';
import type { AnswerChecks } from './tool-rules.ts';


/** The text parsed, or undefined when it is not JSON. */
export function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

export async function checkToolCall(call: ToolCall, checks: AnswerChecks): Promise<CheckedToolCall> {
  const parsed = parseJson(call.arguments);
  if (parsed === undefined) return { ...call, parsedArguments: null, validationErrors: ['the arguments are not valid JSON'] };
  if (!checks.tools.has(call.name)) return { ...call, parsedArguments: parsed, validationErrors: [`"${call.name.slice(0, 64)}" is not one of the tools given`] };
  const schema = checks.tools.get(call.name);
  return { ...call, parsedArguments: parsed, validationErrors: schema === undefined ? [] : await checkAgainst(schema, parsed) };
}

/** The content's JSON and what it breaks; a text answer has neither. */
export async function checkContent(content: string, checks: AnswerChecks): Promise<Pick<ChatAnswer, 'parsedContent' | 'validationErrors'>> {
  if (checks.content.kind === 'text') return { parsedContent: null, validationErrors: [] };
  const parsed = parseJson(content);
  if (parsed === undefined) return { parsedContent: null, validationErrors: ['the content is not valid JSON'] };
  const { schema } = checks.content;
  return { parsedContent: parsed, validationErrors: schema === undefined ? [] : await checkAgainst(schema, parsed) };
}

export async function checkAnswer(output: ChatOutput, checks: AnswerChecks): Promise<ChatAnswer> {
  const ids = new CallIds();
  const calls = await Promise.all(output.toolCalls.map((call) => checkToolCall({ ...call, id: ids.take(call.id) }, checks)));
  return {
    ...output,
    // Whatever the server said, an answer of calls ends with TOOL_CALLS.
    finishReason: calls.length > 0 ? 'TOOL_CALLS' : output.finishReason,
    toolCalls: calls,
    // An answer of calls has no content to check.
    ...(output.toolCalls.length > 0 ? { parsedContent: null, validationErrors: [] } : await checkContent(output.content, checks)),
  };
}
