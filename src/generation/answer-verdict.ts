// What the gateway's checks found in one chat answer (answer-checks.ts), as
// the closed sets the metrics count by: every outcome a check can come to.
/**
 * How one call's arguments stood against the client's schema: `valid`;
 * `invalid_json` (not JSON); `schema_mismatch` (JSON that breaks the tool's
 * parameters); `unknown_tool` (a name the client never offered); `unchecked`
 * (the schema worker could not check them, so nothing is known).
 */
export type CallOutcome = 'valid' | 'invalid_json' | 'schema_mismatch' | 'unknown_tool' | 'unchecked';

/** How a JSON answer's content stood against what was asked: as a call's, less the tool. */
export type ContentOutcome = Exclude<CallOutcome, 'unknown_tool'>;

/** How the client asked for JSON: any JSON (`json_object`), or JSON that holds a schema (`json_schema`). */
export type JsonFormat = 'json_object' | 'json_schema';

/** How the client let the model choose (none offered: no tools). `function`: one named tool forced. */
export type ToolChoiceKind = 'auto' | 'none' | 'required' | 'function';

/** What the checks of one answer found, before it is told whose answer it was. */
export interface AnswerVerdict {
  /** Each call of the answer in order: its name as the server wrote it (cut to 64 characters) and its outcome. */
  readonly toolCalls: readonly { readonly name: string; readonly outcome: CallOutcome }[];
  /** A JSON answer's outcome; undefined when no JSON was asked, or the model answered with calls. */
  readonly content: ContentOutcome | undefined;
}
