// Chat's output types gain what tool calls and structured output add: the
// calls of a reply, the parsed and checked JSON answer, and on a stream, the
// call deltas, the calls assembled on the last event, and partial values.
import { ChatCompletionRef, ChatMessageRef, ChatStreamEventRef } from './chat.ts';
import { builder } from './builder.ts';
import { JsonRef } from './json.ts';
import { ToolCallDeltaRef, ToolCallRef } from './tools.ts';

builder.objectFields(ChatMessageRef, (t) => ({
  toolCalls: t.field({ type: [ToolCallRef], description: 'Empty when the model answered in text.', resolve: (m) => m.toolCalls }),
}));

builder.objectFields(ChatCompletionRef, (t) => ({
  parsedContent: t.field({
    type: JsonRef,
    nullable: true,
    description: 'JSON_OBJECT / JSON_SCHEMA answers: the content parsed, or null when it is not valid JSON.',
    resolve: (c) => c.parsedContent,
  }),
  validationErrors: t.exposeStringList('validationErrors', {
    description: 'Where the content breaks the JSON_SCHEMA; empty when it holds or no schema was asked.',
  }),
}));

builder.objectFields(ChatStreamEventRef, (t) => ({
  toolCallDeltas: t.field({ type: [ToolCallDeltaRef], description: 'Empty on events that carry only text.', resolve: (e) => e.event.toolCallDeltas }),
  toolCalls: t.field({
    type: [ToolCallRef],
    nullable: true,
    description: 'On the last event: the calls assembled, parsed and checked, as chat returns them.',
    resolve: (e) => e.event.toolCalls,
  }),
  partialContent: t.field({
    type: JsonRef,
    nullable: true,
    description: 'JSON_OBJECT / JSON_SCHEMA streams: the content so far as a partial JSON value; null otherwise.',
    resolve: (e) => e.event.partialContent,
  }),
}));
