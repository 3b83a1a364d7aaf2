// The playground's behaviour: models and the schema's chat fields over
// GraphQL-over-HTTP, each answer over graphql-ws (`chatStream`). The client is
// graphql-ws's own browser build, inlined before this module (it sets
// globalThis.graphqlWs): no hand-written protocol to get wrong. view.js,
// chat-input.js and stream.js come before this file in the same module.
const { createClient } = globalThis.graphqlWs;

const MODELS = 'query PlaygroundModels { models { id name available health { status } } }';
/** Pings on a socket in use, and how long a pong may take before the socket counts as lost. */
const KEEP_ALIVE_MS = 5_000;
const PONG_WAIT_MS = 3_000;
const HEALTH = { AVAILABLE: '✓ Available', UNAVAILABLE: '✗ Unavailable', NOT_CONFIGURED: '– Not configured' };

const byId = (id) => document.getElementById(id);
const ui = {
  form: byId('chat'), key: byId('api-key'), useKey: byId('use-key'),
  model: byId('model'), refresh: byId('refresh-models'), health: byId('model-health'),
  structured: byId('structured'), structuredHint: byId('structured-hint'),
  tools: byId('tools'), exampleTools: byId('example-tools'), toolChoice: byId('tool-choice'),
  responseFormat: byId('response-format'), schemaFields: byId('schema-fields'),
  conversation: byId('conversation'), emptyNote: byId('empty-note'),
  toolAnswers: byId('tool-answers'), toolAnswerFields: byId('tool-answer-fields'), sendResults: byId('send-results'),
  message: byId('message'), send: byId('send'), stop: byId('stop'), newChat: byId('new-chat'),
  status: byId('status'), error: byId('error'),
  promptTokens: byId('prompt-tokens'), completionTokens: byId('completion-tokens'),
  rate: byId('tokens-per-second'), first: byId('first-token'), finish: byId('finish-reason'),
};
const announcer = new Announcer(byId('announcer'));
const follower = new EndFollower(ui.conversation);

let apiKey = ''; // memory only: never written to storage
let client; // one graphql-ws client per key, connected while something runs
let caps = PLAIN_CHAT;
/** The conversation so far: each message as sent (ChatMessageInput) with its element. */
let conversation = [];
/** The calls of the last answer, waiting for their results: [{ id, name, field }]. */
let pendingCalls = [];
let run; // the answer in progress

// ── Errors and status ───────────────────────────────────────────────────────

/** `CODE: message`, with what a user can act on: when to retry, which field is wrong. */
function describeError(error) {
  const { code, retryAfterSeconds, field } = error.extensions ?? {};
  let text = code ? `${code}: ${error.message}` : error.message;
  if (field) text += ` (field: ${field})`;
  if (retryAfterSeconds !== undefined) text += ` Retry in ${retryAfterSeconds} s.`;
  return text;
}

/** Shows the error and marks the control it names (`tools[0].parameters` marks the tools editor). */
function showError(text, field) {
  ui.error.textContent = text ? `✗ ${text}` : '';
  for (const node of document.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  const name = typeof field === 'string' ? field.replace(/^input\./, '').match(/^[A-Za-z]+/)?.[0] : undefined;
  const culprit = name ? ui.form.elements.namedItem(name) : null;
  culprit?.setAttribute?.('aria-invalid', 'true');
}

function setStatus(node, text, tone) {
  node.textContent = text;
  node.className = tone ?? '';
}

// ── Models, key and the schema's chat fields ────────────────────────────────

async function postQuery(query, variables) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => undefined);
  if (body?.errors?.length) throw new Error(describeError(body.errors[0]));
  if (!res.ok || !body?.data) throw new Error(`the gateway answered HTTP ${res.status}`);
  return body.data;
}

async function loadModels() {
  setStatus(ui.health, 'Loading models…');
  try {
    const { models } = await postQuery(MODELS);
    showModels(models);
    if (!caps.known) await loadCapabilities();
  } catch (error) {
    // The list already shown stays: a key typed wrong should not lose the choice.
    const hint = /UNAUTHENTICATED/.test(error.message) ? ' Enter a valid API key above.' : '';
    setStatus(ui.health, `✗ Could not load the models: ${error.message}${hint}`, 'bad');
  }
}

function showModels(models) {
  const chosen = ui.model.value;
  ui.model.replaceChildren(...models.map((m) => {
    const label = m.name === m.id ? m.id : `${m.name} (${m.id})`;
    const option = new Option(`${label}: ${HEALTH[m.health.status] ?? m.health.status}`, m.id);
    option.dataset.status = m.health.status;
    option.dataset.available = String(m.available);
    return option;
  }));
  if (models.some((m) => m.id === chosen)) ui.model.value = chosen;
  showHealth();
}

function showHealth() {
  const option = ui.model.selectedOptions[0];
  if (!option) return setStatus(ui.health, 'This gateway serves no model.', 'bad');
  const { status, available } = option.dataset;
  setStatus(ui.health, `Health: ${HEALTH[status] ?? status}`, available === 'true' ? 'good' : 'bad');
}

/** Reads which chat fields the schema has; controls for missing ones are turned off, and the page says why. */
async function loadCapabilities() {
  try {
    caps = capabilitiesFrom(await postQuery(CAPABILITIES));
  } catch (error) {
    caps = PLAIN_CHAT;
    ui.structuredHint.textContent = `Off: the page could not read this gateway's schema (${error.message}).`;
    return showCapabilities();
  }
  const missing = [!caps.tools && 'tool calls', !caps.json && 'JSON answers'].filter(Boolean);
  ui.structuredHint.textContent = missing.length === 0
    ? 'Tool calls stream in as they are made; JSON answers show the object as it fills in.'
    : `This gateway's schema has no ${missing.join(' and no ')}: ${missing.length === 2 ? 'they are' : 'that is'} off.`;
  showCapabilities();
}

function showCapabilities() {
  for (const node of [ui.tools, ui.exampleTools, ui.toolChoice]) node.disabled = !caps.tools;
  for (const node of [ui.responseFormat, ...ui.schemaFields.querySelectorAll('input, textarea')]) node.disabled = !caps.json;
}

function useKey() {
  apiKey = ui.key.value.trim();
  // A socket keeps the key it was opened with: the next answer opens one with this key.
  client?.dispose();
  client = undefined;
  void loadModels();
}

// ── Tools editor and answer format ──────────────────────────────────────────

/** The tool-choice menu offers each tool of the editor by name, once the editor holds valid JSON. */
function offerToolNames() {
  const chosen = ui.toolChoice.value;
  for (const option of [...ui.toolChoice.options]) if (option.value.startsWith('function:')) option.remove();
  for (const name of toolNames(ui.tools.value)) ui.toolChoice.add(new Option(`Call ${name}`, `function:${name}`));
  ui.toolChoice.value = [...ui.toolChoice.options].some((o) => o.value === chosen) ? chosen : 'AUTO';
}

function showSchemaFields() {
  ui.schemaFields.hidden = ui.responseFormat.value !== 'JSON_SCHEMA';
}

// ── One answer ──────────────────────────────────────────────────────────────

function wsClient() {
  if (client) return client;
  let socket;
  let quiet = 0;
  client = createClient({
    url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
    connectionParams: () => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    lazy: true,
    // Its own retry would subscribe again with the same input, a new generation: AnswerStream resumes instead.
    retryAttempts: 0,
    // A socket can die without a close (a laptop sleeps, a NAT forgets it): one that stops answering is closed as lost.
    keepAlive: KEEP_ALIVE_MS,
    on: {
      connected: (opened) => { socket = opened; },
      ping: (received) => {
        if (!received) quiet = setTimeout(() => socket?.close(SOCKET_WENT_QUIET, 'no pong'), PONG_WAIT_MS);
      },
      pong: (received) => received && clearTimeout(quiet),
      closed: () => clearTimeout(quiet),
    },
  });
  return client;
}

/** How an answer reaches the gateway: AnswerStream's view of the socket and of GraphQL over HTTP. */
const connection = {
  client: wsClient,
  /** The socket is lost: closed (never `complete`d), and the next subscription opens a new one. */
  drop() {
    client?.dispose();
    client = undefined;
  },
  post: postQuery,
};

/** What a resume that failed means to the person waiting for the answer. */
const RESUME_FAILED = {
  GENERATION_NOT_FOUND: 'The answer could not be picked up again after the connection came back: the gateway no longer has it. Send the message again.',
  GENERATION_EXPIRED: 'The answer could not be picked up again after the connection came back: the part missed meanwhile is no longer kept. Send the message again.',
};

/** What graphql-ws hands to `error`: an operation's GraphQL errors, a CloseEvent, or an Error. */
function describeFailure(failure) {
  if (Array.isArray(failure)) {
    const error = failure[0] ?? { message: 'the operation failed' };
    const resume = RESUME_FAILED[error.extensions?.code];
    return { text: resume ? `${resume} (${describeError(error)})` : describeError(error), field: error.extensions?.field };
  }
  if (typeof failure?.code === 'number') {
    if (failure.code === 4401) return { text: 'UNAUTHENTICATED: the gateway refused the API key (WebSocket closed with 4401). Enter a valid key above.' };
    return { text: `the connection to the gateway closed (${failure.code}${failure.reason ? `: ${failure.reason}` : ''})` };
  }
  return { text: failure?.message ?? String(failure) };
}

/** Sends the message box as the user's next turn. */
function sendMessage() {
  if (run) return;
  if (pendingCalls.length > 0) {
    showError('Answer the tool calls first (or start a new chat): the model waits for their results.');
    return pendingCalls[0].field.focus();
  }
  const text = ui.message.value;
  if (text.trim() === '') return showError('Type a message first.', 'message');
  if (ask([{ role: 'USER', content: text }], () => { ui.message.value = text; })) ui.message.value = '';
}

/** Sends the results typed for the pending calls as TOOL messages, and lets the model go on. */
function sendResults() {
  if (run || pendingCalls.length === 0) return;
  const empty = pendingCalls.find((call) => call.field.value.trim() === '');
  if (empty) {
    showError(`Give a result for ${empty.name} (${empty.id}).`);
    empty.field.setAttribute('aria-invalid', 'true');
    return empty.field.focus();
  }
  const results = pendingCalls.map((call) => ({ role: 'TOOL', content: call.field.value, toolCallId: call.id, toolName: call.name }));
  if (ask(results, () => {})) ui.toolAnswers.inert = true;
}

/**
 * Streams the model's answer to the conversation plus `added` (the user's
 * message, or tool results). The added messages join the conversation when
 * an answer comes; when none does, they are taken back out and `restore`
 * puts them back where they were typed. Returns whether it started.
 */
function ask(added, restore) {
  let settings;
  try {
    settings = readSettings(ui.form, caps);
  } catch (problem) {
    showError(problem.message, problem.field);
    return false;
  }
  if (!settings.input.modelId) {
    showError('No model to use: load the models first (an API key may be needed).');
    return false;
  }
  showError('');
  const sent = added.map(({ toolName: _name, ...message }) => message);
  const input = {
    ...settings.input,
    messages: [
      ...(settings.system === undefined ? [] : [{ role: 'SYSTEM', content: settings.system }]),
      ...conversation.map((entry) => entry.message),
      ...sent,
    ],
  };
  ui.emptyNote.hidden = true;
  const views = added.map((message) => {
    const view = messageView(message, message.toolName);
    ui.conversation.append(view);
    return view;
  });
  follower.follow();
  announcer.reset();
  const state = {
    added: sent.map((message, i) => ({ message, element: views[i] })), restore,
    answer: new AnswerView(ui.conversation, follower), text: '', toolCalls: [],
    startedAt: performance.now(), firstAt: 0, lastAt: 0, events: 0, usage: null, finishReason: null,
    failure: null, ended: false,
  };
  run = state;
  renderStats(state);
  setRunning(true);
  setStatus(ui.status, '… Answering');
  state.stream = new AnswerStream(connection, caps, input, {
    event: (event) => onEvent(state, event),
    // A failure before or after the first delta arrives as a payload with errors, then `complete`.
    errors: (errors) => { state.failure = describeFailure(errors); },
    complete: () => end(state, state.failure ? 'failed' : 'finished', state.failure),
    failed: (failure) => end(state, 'failed', describeFailure(failure)),
    reconnecting: () => setStatus(ui.status, '… Connection lost: reconnecting…'),
    resumed: () => setStatus(ui.status, '… Resumed: answering'),
    resumeOff: () => { caps = { ...caps, resume: false }; },
  });
  state.stream.start();
  return true;
}

/** One event of the answer, each once, in order, across any resumes. */
function onEvent(state, event) {
  if (state.ended) return;
  const now = performance.now();
  if (state.events === 0) state.firstAt = now;
  state.lastAt = now;
  state.events += 1;
  if (event.delta) {
    state.text += event.delta;
    state.answer.appendText(event.delta);
    announcer.feed(event.delta);
  }
  for (const delta of event.toolCallDeltas ?? []) {
    const name = state.answer.toolCallDelta(delta);
    if (name !== undefined) announcer.say(`Calling the tool ${name || 'without a name yet'}.`);
  }
  state.answer.partialContent(event.partialContent);
  if (event.toolCalls?.length) {
    state.toolCalls = event.toolCalls;
    state.answer.finalToolCalls(event.toolCalls);
  }
  if (event.finishReason) state.finishReason = event.finishReason;
  if (event.usage) state.usage = event.usage;
  renderStats(state);
}

function renderStats(state) {
  // Until the server's usage arrives, each event stands for a token.
  const completion = state.usage?.completionTokens ?? state.events;
  ui.promptTokens.textContent = state.usage ? String(state.usage.promptTokens) : '–';
  ui.completionTokens.textContent = String(completion);
  ui.first.textContent = state.events ? `${Math.round(state.firstAt - state.startedAt)} ms` : '–';
  // The decode rate: the wait for the first token is shown on its own.
  const seconds = (state.lastAt - state.firstAt) / 1000;
  ui.rate.textContent = completion > 1 && seconds > 0 ? ((completion - 1) / seconds).toFixed(1) : '–';
  ui.finish.textContent = state.finishReason ?? '–';
}

/** Ends the upstream generation: graphql-ws `complete`, or `cancelGeneration` while the connection is lost. */
function stop() {
  if (!run) return;
  const state = run;
  state.stream.stop();
  end(state, 'stopped');
}

function end(state, how, failure) {
  if (state.ended) return;
  state.ended = true;
  run = undefined;
  renderStats(state);
  const tokens = `${ui.completionTokens.textContent} token${ui.completionTokens.textContent === '1' ? '' : 's'}`;
  // A stopped answer keeps its text, as the model said it; its unfinished calls cannot be answered.
  const kept = how === 'finished' || (how === 'stopped' && state.text !== '');
  if (kept) {
    const calls = how === 'finished' ? state.toolCalls : [];
    conversation.push(...state.added, {
      message: {
        role: 'ASSISTANT', content: state.text,
        ...(calls.length ? { toolCalls: calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) } : {}),
      },
      element: state.answer.element,
    });
    announcer.flush();
    askForResults(calls);
  } else {
    // Nothing to keep: the conversation is as it was, and what was typed is back where it was typed.
    state.answer.remove();
    for (const { element } of state.added) element.remove();
    ui.emptyNote.hidden = conversation.length > 0;
    state.restore();
    ui.toolAnswers.inert = false;
  }
  if (how === 'stopped') {
    setStatus(ui.status, `■ Stopped after ${tokens}.`);
    state.answer.finish('■ Stopped.');
  } else if (how === 'failed') {
    setStatus(ui.status, `✗ Failed after ${tokens}.`, 'bad');
    showError(failure?.text ?? 'the answer failed', failure?.field);
  } else {
    const reason = state.finishReason ?? 'no finish reason';
    setStatus(ui.status, `✓ Finished (${reason}) after ${tokens}.`, 'good');
    state.answer.finish(`Finished: ${reason}.`);
  }
  setRunning(false);
}

/** Asks for a result per call of the answer (none: the form goes away). */
function askForResults(calls) {
  ui.toolAnswerFields.replaceChildren();
  pendingCalls = calls.map((call, i) => {
    const id = `tool-result-${i + 1}`;
    const field = el('textarea', { id, rows: 3, className: 'code', spellcheck: false, placeholder: '{"temperature": 21}' });
    ui.toolAnswerFields.append(el('div', { className: 'field' }, el('label', { htmlFor: id }, `Result of ${call.name} (${call.id})`), field));
    return { id: call.id, name: call.name, field };
  });
  ui.toolAnswers.hidden = calls.length === 0;
  ui.toolAnswers.inert = false;
  if (calls.length > 0) announcer.say(`The model called ${calls.map((c) => c.name).join(', ')}: answer below the conversation.`);
}

/**
 * Keeps keyboard focus on a usable control as Send and Stop trade places; when
 * the answer ends with calls, on the first call's result (the chat cannot go
 * on without it), else on the message box.
 */
function setRunning(running) {
  const focused = document.activeElement;
  ui.send.disabled = running;
  ui.stop.disabled = !running;
  ui.sendResults.disabled = running;
  if (running && (focused === ui.send || focused === ui.sendResults)) ui.stop.focus();
  const inChat = [ui.stop, ui.message, document.body].includes(focused) || ui.toolAnswers.contains(focused);
  if (!running && inChat) (pendingCalls[0]?.field ?? ui.message).focus();
}

function newChat() {
  stop();
  conversation = [];
  askForResults([]);
  ui.conversation.replaceChildren(byId('conversation-title'), ui.emptyNote);
  ui.emptyNote.hidden = false;
  announcer.reset();
  showError('');
  setStatus(ui.status, 'New chat.');
  ui.message.focus();
}

// ── Wiring ──────────────────────────────────────────────────────────────────

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});
ui.message.addEventListener('keydown', (event) => {
  // Enter sends; Shift+Enter is a new line; Enter that confirms an input method's composition is not a send.
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  sendMessage();
});
ui.stop.addEventListener('click', stop);
// A resumable answer outlives its socket: one whose page goes away is stopped, not left to run on for nobody.
addEventListener('pagehide', stop);
ui.newChat.addEventListener('click', newChat);
ui.sendResults.addEventListener('click', sendResults);
ui.useKey.addEventListener('click', useKey);
ui.key.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault(); // Enter here means "use this key", not "send"
  useKey();
});
ui.refresh.addEventListener('click', () => void loadModels());
ui.model.addEventListener('change', showHealth);
ui.tools.addEventListener('input', offerToolNames);
ui.exampleTools.addEventListener('click', () => {
  ui.tools.value = JSON.stringify(EXAMPLE_TOOLS, null, 2);
  offerToolNames();
  ui.tools.focus();
});
ui.responseFormat.addEventListener('change', showSchemaFields);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    if (ui.toolAnswers.contains(document.activeElement)) sendResults();
    else sendMessage();
  } else if (event.key === 'Escape' && run) stop();
});

showCapabilities();
void loadModels();
