// What the page asks of the gateway: the settings form read as a ChatInput
// (the conversation's messages are added by the caller), which chat fields
// this gateway's schema has, and the subscription document that asks only for those.

const NUMBERS = ['maxTokens', 'temperature', 'topP', 'frequencyPenalty', 'presencePenalty'];

/** Input the page refuses before sending, with the form field at fault. */
class InputProblem extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

/**
 * The chat fields of the gateway's schema: tool calls and JSON answers came
 * after plain chat, so an older gateway has none of them. Until the schema
 * has been read (or where introspection is off) the page assumes plain chat,
 * resumable: resume came before this page, on the gateway that serves it.
 */
const PLAIN_CHAT = Object.freeze({ known: false, tools: false, partialArguments: false, json: false, resume: true });

const CAPABILITIES = `query PlaygroundCapabilities {
  input: __type(name: "ChatInput") { inputFields { name } }
  event: __type(name: "ChatStreamEvent") { fields { name } }
  delta: __type(name: "ToolCallDelta") { fields { name } }
  subscription: __type(name: "Subscription") { fields { name } }
}`;

function capabilitiesFrom(data) {
  const names = (type, list) => new Set((type?.[list] ?? []).map((f) => f.name));
  const input = names(data.input, 'inputFields');
  const event = names(data.event, 'fields');
  const delta = names(data.delta, 'fields');
  const subscription = names(data.subscription, 'fields');
  const tools = input.has('tools') && input.has('toolChoice') && event.has('toolCallDeltas') && event.has('toolCalls');
  return {
    known: true,
    tools,
    partialArguments: tools && delta.has('partialArguments'),
    json: input.has('responseFormat') && event.has('partialContent'),
    resume: input.has('resumable') && event.has('generationId') && event.has('index') && subscription.has('resumeChatStream'),
  };
}

/** What the page asks of every event, the same for a stream and for its resume. */
function eventFields(caps) {
  const calls = caps.tools
    ? `toolCallDeltas { index id name argumentsDelta${caps.partialArguments ? ' partialArguments' : ''} }
    toolCalls { id name arguments parsedArguments validationErrors }`
    : '';
  return `${caps.resume ? 'generationId index ' : ''}delta finishReason usage { promptTokens completionTokens totalTokens }
    ${calls}${caps.json ? ' partialContent' : ''}`;
}

function chatDocument(caps) {
  return `subscription PlaygroundChat($input: ChatInput!) {
  chatStream(input: $input) {
    ${eventFields(caps)}
  }
}`;
}

/** The rest of a resumable answer, after the last event the page has. */
function resumeDocument(caps) {
  return `subscription PlaygroundResume($generationId: ID!, $afterIndex: Int!) {
  resumeChatStream(generationId: $generationId, afterIndex: $afterIndex) {
    ${eventFields(caps)}
  }
}`;
}

/** The settings as ChatInput fields; empty fields are left to the gateway's defaults, ranges to its validation. */
function readSettings(form, caps) {
  const value = (name) => form.elements.namedItem(name).value;
  const input = { modelId: value('modelId') };
  for (const name of NUMBERS) {
    const raw = value(name).trim();
    if (raw === '') continue;
    const number = Number(raw);
    if (!Number.isFinite(number)) throw new InputProblem(`${name} must be a number`, name);
    input[name] = number;
  }
  // A string: seeds are unsigned 64-bit, past what a JSON number keeps exactly.
  const seed = value('seed').trim();
  if (seed !== '') input.seed = seed;
  if (caps.tools) {
    const tools = readTools(value('tools'));
    if (tools.length > 0) {
      input.tools = tools;
      input.toolChoice = toolChoiceOf(value('toolChoice'));
    }
  }
  if (caps.json && value('responseFormat') !== 'TEXT') input.responseFormat = readResponseFormat(value);
  const system = value('system');
  return { input, system: system.trim() === '' ? undefined : system };
}

/** A JSON array of tools, in this schema's shape or OpenAI's `{ type: "function", function }`. */
function readTools(text) {
  if (text.trim() === '') return [];
  const parsed = parseJson(text, 'tools', 'Tools');
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((entry, i) => {
    const tool = entry?.type === 'function' && entry.function ? entry.function : entry;
    if (typeof tool?.name !== 'string') throw new InputProblem(`Tools: entry ${i + 1} has no "name"`, 'tools');
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
    };
  });
}

/** The tool-choice menu's value: a mode, or `function:<name>` to force that tool. */
function toolChoiceOf(choice) {
  return choice.startsWith('function:') ? { function: choice.slice('function:'.length) } : { mode: choice };
}

/** Tool names from the editor as it is being typed; none while it is not yet valid JSON. */
function toolNames(text) {
  try {
    return readTools(text).map((tool) => tool.name);
  } catch {
    return [];
  }
}

function readResponseFormat(value) {
  const type = value('responseFormat');
  if (type !== 'JSON_SCHEMA') return { type };
  return { type, name: value('schemaName').trim(), schema: parseJson(value('schema'), 'schema', 'Schema') };
}

function parseJson(text, field, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputProblem(`${what} is not JSON: ${error.message}`, field);
  }
}

const EXAMPLE_TOOLS = [{
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
}];
