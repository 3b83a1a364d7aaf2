// Whose answer a verdict is about (report.ts's AnswerReport), told once when
// the answer is whole: beside the generation's report, not on it, since a
// unary answer is checked after its generation has ended and been reported.
// Unary and streamed answers, GraphQL and /v1, are told the same way, by the
// generation service, so that every transport counts alike.
import type { ToolChoice } from '../upstream/types.ts';
import type { PreparedChat } from './admission.ts';
import type { AnswerVerdict, ToolChoiceKind } from './answer-verdict.ts';
import type { AnswerReport } from './report.ts';

const choiceKind = (choice: ToolChoice): ToolChoiceKind => ('function' in choice ? 'function' : choice.mode);

/**
 * Whose answer the verdict is about; undefined when there is nothing to tell:
 * no tools offered, no JSON asked, and no call made (a plain chat).
 */
export function answerReport(prepared: PreparedChat, verdict: AnswerVerdict): AnswerReport | undefined {
  const { request, checks } = prepared;
  const offered = request.tools !== undefined && request.tools.length > 0;
  if (!offered && checks.content.kind === 'text' && verdict.toolCalls.length === 0) return undefined;
  return {
    ...verdict,
    request: prepared.info,
    model: prepared.model.id,
    protocol: prepared.model.protocol,
    // Tools offered with no choice go out as AUTO (tool-rules.ts).
    toolChoice: offered ? choiceKind(request.toolChoice ?? { mode: 'auto' }) : undefined,
    format: checks.content.kind === 'text' ? undefined : checks.content.schema === undefined ? 'json_object' : 'json_schema',
  };
}
