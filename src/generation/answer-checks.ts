// The answer checked against what the client asked (API.md § Tool calls,
// "Checked after the answer"): each call's arguments parsed and held to its
// tool's parameters schema, a JSON answer parsed and held to its schema. A
// server without grammar enforcement may write broken JSON: the client learns
// it here instead of from its own parser, and the operator from the outcome
// each check comes to (answer-report.ts).
import type { ChatOutput, JsonValue, ToolCall } from '../upstream/types.ts';
import type { AnswerVerdict, CallOutcome, ContentOutcome } from './answer-verdict.ts';
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

/** A call checked, and what its check came to (the outcome its errors say, as a label). */
export interface JudgedCall {
  readonly call: CheckedToolCall;
  readonly outcome: CallOutcome;
}

/** Names in a verdict are the server's text: cut as the errors cut them. */
const shortName = (name: string): string => name.slice(0, 64);

export async function checkToolCall(call: ToolCall, checks: AnswerChecks): Promise<JudgedCall> {
  const parsed = parseJson(call.arguments);
  if (parsed === undefined) return { call: { ...call, parsedArguments: null, validationErrors: ['the arguments are not valid JSON'] }, outcome: 'invalid_json' };
  if (!checks.tools.has(call.name)) {
    return { call: { ...call, parsedArguments: parsed, validationErrors: [`"${shortName(call.name)}" is not one of the tools given`] }, outcome: 'unknown_tool' };
  }
  const schema = checks.tools.get(call.name);
  if (schema === undefined) return { call: { ...call, parsedArguments: parsed, validationErrors: [] }, outcome: 'valid' };
  const { errors, checked } = await checkAgainst(schema, parsed);
  return { call: { ...call, parsedArguments: parsed, validationErrors: errors }, outcome: outcomeOf(errors, checked) };
}

/** The verdict's entry for each judged call, in order. */
export const callVerdicts = (judged: readonly JudgedCall[]): AnswerVerdict['toolCalls'] =>
  judged.map(({ call, outcome }) => ({ name: shortName(call.name), outcome }));

const outcomeOf = (errors: readonly string[], checked: boolean): 'valid' | 'schema_mismatch' | 'unchecked' =>
  !checked ? 'unchecked' : errors.length === 0 ? 'valid' : 'schema_mismatch';

/** The content's JSON and what it breaks; a text answer has neither, and no outcome. */
export async function checkContent(
  content: string,
  checks: AnswerChecks,
): Promise<Pick<ChatAnswer, 'parsedContent' | 'validationErrors'> & { outcome: ContentOutcome | undefined }> {
  if (checks.content.kind === 'text') return { parsedContent: null, validationErrors: [], outcome: undefined };
  const parsed = parseJson(content);
  if (parsed === undefined) return { parsedContent: null, validationErrors: ['the content is not valid JSON'], outcome: 'invalid_json' };
  const { schema } = checks.content;
  if (schema === undefined) return { parsedContent: parsed, validationErrors: [], outcome: 'valid' };
  const { errors, checked } = await checkAgainst(schema, parsed);
  return { parsedContent: parsed, validationErrors: errors, outcome: outcomeOf(errors, checked) };
}

/** The answer checked, and the verdict its checks came to. */
export async function checkAnswer(output: ChatOutput, checks: AnswerChecks): Promise<{ answer: ChatAnswer; verdict: AnswerVerdict }> {
  const ids = new CallIds();
  const judged = await Promise.all(output.toolCalls.map((call) => checkToolCall({ ...call, id: ids.take(call.id) }, checks)));
  // An answer of calls has no content to check.
  const { outcome, ...content } = judged.length > 0 ? { parsedContent: null, validationErrors: [], outcome: undefined } : await checkContent(output.content, checks);
  const answer: ChatAnswer = {
    ...output,
    // Whatever the server said, an answer of calls ends with TOOL_CALLS.
    finishReason: judged.length > 0 ? 'TOOL_CALLS' : output.finishReason,
    toolCalls: judged.map((j) => j.call),
    ...content,
  };
  return { answer, verdict: { toolCalls: callVerdicts(judged), content: outcome } };
}
