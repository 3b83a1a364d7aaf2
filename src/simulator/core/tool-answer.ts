// What the simulated model answers when a chat offers tools or asks for JSON
// (API.md § Tool calls, "Simulator"), the same on both protocols and for a
// seed: with REQUIRED or a named function it calls that tool (the first under
// REQUIRED); with AUTO it calls the first tool whose name appears in the last
// user message, else answers in text; with NONE in text; after a TOOL message
// (under AUTO) it answers in text that mentions the result. Arguments, and
// JSON_SCHEMA answers, are an instance of the schema built from its required
// properties and types. The badJson fault makes them not JSON, or JSON that
// breaks the schema. Each answer's text is cut into as many pieces as the
// plan has tokens, so a stream splits it over several deltas.
import { Prng } from './prng.ts';

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
type PlainObject = { [key: string]: Plain };

export interface SimTool {
  name: string;
  parameters: PlainObject | null;
}

export type SimToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The tool and format fields of a chat request, as either server decoded them. */
export interface Structured {
  tools: SimTool[];
  toolChoice: SimToolChoice | null;
  /** A JSON answer: any object (schema null), or one that holds the schema. */
  json: { schema: PlainObject | null } | null;
}

export interface SimMessage {
  role: string;
  content: string;
}

export type BadJson = 'not-json' | 'breaks-schema';

export type ToolAnswer =
  /** The planned tokens' text, as without tools. */
  | { kind: 'text' }
  /** Text of the simulator's own (a JSON answer, a tool result told back). */
  | { kind: 'fixed'; text: string }
  /** One call; `named` when the client forced it (vLLM then says `stop`, not `tool_calls`). */
  | { kind: 'call'; name: string; arguments: string; named: boolean };

const isObject = (value: Plain | undefined): value is PlainObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const WORDS = ['Paris', 'Lisbon', 'Oslo', 'Kyoto', 'Quito', 'Accra', 'Hanoi', 'Perth'];

/** A value the schema accepts: its required properties, each of its type (enum, const and bounds respected where simple). */
export function instanceOf(schema: Plain | undefined, prng: Prng, depth = 0): Plain {
  if (!isObject(schema) || depth > 8) return null;
  if ('const' in schema) return schema.const!;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]!;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return instanceOf(options[0], prng, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];
      return Object.fromEntries(required.map((key) => [key, instanceOf(properties[key] ?? { type: 'string' }, prng, depth + 1)]));
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1;
      return Array.from({ length: Math.min(count, 8) }, () => instanceOf(schema.items, prng, depth + 1));
    }
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : prng.between(1, 30);
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : prng.between(10, 300) / 10;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default: {
      const word = WORDS[prng.between(0, WORDS.length - 1)]!;
      const least = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return word.padEnd(least, 'x');
    }
  }
}

/** JSON that breaks the schema: each required property of the wrong type, or not an object at all. */
function breaking(schema: PlainObject | null): Plain {
  const required = Array.isArray(schema?.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];
  if (required.length === 0) return 'not an object';
  const properties = isObject(schema?.properties) ? schema.properties : {};
  return Object.fromEntries(required.map((key) => [key, isObject(properties[key]) && properties[key].type === 'string' ? 12345 : 'wrong type']));
}

/** `schema` null: any object (a JSON_OBJECT answer), or `{}` for a tool that takes no arguments (`noArguments`). */
function jsonText(schema: PlainObject | null, prng: Prng, fault: BadJson | undefined, noArguments = false): string {
  if (fault === 'breaks-schema') return JSON.stringify(breaking(schema));
  const free = noArguments ? {} : { answer: WORDS[prng.between(0, WORDS.length - 1)]! };
  const text = JSON.stringify(schema === null ? free : instanceOf(schema, prng));
  // Cut short: not JSON any more.
  return fault === 'not-json' ? text.slice(0, Math.max(1, text.length - 1)) : text;
}

function chosenTool(structured: Structured, messages: readonly SimMessage[]): { tool: SimTool; named: boolean } | null {
  const { tools, toolChoice } = structured;
  if (tools.length === 0 || toolChoice === 'none') return null;
  if (toolChoice === 'required') return { tool: tools[0]!, named: false };
  if (toolChoice !== null && typeof toolChoice === 'object') {
    const tool = tools.find((t) => t.name === toolChoice.name);
    return tool ? { tool, named: true } : null;
  }
  // AUTO: a tool's result answered last is told back in text.
  if (messages.at(-1)?.role === 'tool') return null;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const tool = tools.find((t) => lastUser.includes(t.name));
  return tool ? { tool, named: false } : null;
}

export function toolAnswer(structured: Structured, messages: readonly SimMessage[], seed: bigint | null, fault: BadJson | undefined): ToolAnswer {
  const prng = new Prng(messages.map((m) => `${m.role}:${m.content}`).join('\n'), seed);
  const chosen = chosenTool(structured, messages);
  if (chosen) return { kind: 'call', name: chosen.tool.name, arguments: jsonText(chosen.tool.parameters, prng, fault, true), named: chosen.named };
  if (structured.json) return { kind: 'fixed', text: jsonText(structured.json.schema, prng, fault) };
  const last = messages.at(-1);
  if (last?.role === 'tool') return { kind: 'fixed', text: `The tool answered: ${last.content}` };
  return { kind: 'text' };
}

/** The text cut into `count` pieces (at least one, the last taking what is left), as a stream sends it. */
export function piecesOf(text: string, count: number): string[] {
  const n = Math.max(1, count);
  const size = Math.max(1, Math.ceil(text.length / n));
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? text.slice(i * size) : text.slice(i * size, (i + 1) * size)));
}
