// The playground's behaviour: models over GraphQL-over-HTTP, tokens over
// graphql-ws. The client is graphql-ws's own browser build, inlined before this
// module (it sets globalThis.graphqlWs): no hand-written protocol to get wrong.
// Only textContent is ever written, so nothing a model says can become markup.
const { createClient } = globalThis.graphqlWs;

const MODELS = 'query PlaygroundModels { models { id name available health { status } } }';
const STREAM = `subscription PlaygroundStream($input: GenerateInput!) {
  generateStream(input: $input) { token { text special } details { finishReason } }
}`;
const HEALTH = { AVAILABLE: '✓ Available', UNAVAILABLE: '✗ Unavailable', NOT_CONFIGURED: '– Not configured' };
const NUMBERS = ['maxNewTokens', 'temperature', 'topP', 'topK', 'repetitionPenalty'];

const byId = (id) => document.getElementById(id);
const ui = {
  form: byId('generation'), key: byId('api-key'), useKey: byId('use-key'),
  model: byId('model'), refresh: byId('refresh-models'), health: byId('model-health'),
  prompt: byId('prompt'), generate: byId('generate'), stop: byId('stop'),
  status: byId('status'), error: byId('error'), output: byId('output'),
  count: byId('token-count'), rate: byId('tokens-per-second'), first: byId('first-token'), finish: byId('finish-reason'),
};

let apiKey = ''; // memory only: never written to storage
let client; // one graphql-ws client per key, connected while something runs
let run; // the generation in progress

/** `CODE: message`, with what a user can act on: when to retry, which field is wrong. */
function describeError(error) {
  const { code, retryAfterSeconds, field } = error.extensions ?? {};
  let text = code ? `${code}: ${error.message}` : error.message;
  if (field) text += ` (field: ${field})`;
  if (retryAfterSeconds !== undefined) text += ` Retry in ${retryAfterSeconds} s.`;
  return text;
}

function showError(text, field) {
  ui.error.textContent = text ? `✗ ${text}` : '';
  for (const el of ui.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const culprit = field ? ui.form.elements.namedItem(field) : null;
  if (culprit) culprit.setAttribute('aria-invalid', 'true');
}

function setStatus(el, text, tone) {
  el.textContent = text;
  el.className = tone ?? '';
}

async function loadModels() {
  setStatus(ui.health, 'Loading models…');
  try {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ query: MODELS }),
    });
    const body = await res.json().catch(() => undefined);
    if (body?.errors?.length) throw new Error(describeError(body.errors[0]));
    if (!res.ok || !Array.isArray(body?.data?.models)) throw new Error(`the gateway answered HTTP ${res.status}`);
    showModels(body.data.models);
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

/** The form as a GenerateInput; empty fields are left to the gateway's defaults, ranges to its validation. */
function readInput() {
  const input = { modelId: ui.model.value, prompt: ui.prompt.value };
  for (const name of NUMBERS) {
    const raw = ui.form.elements.namedItem(name).value.trim();
    if (raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) return { problem: `${name} must be a number`, field: name };
    input[name] = value;
  }
  // A string: seeds are unsigned 64-bit, past what a JSON number keeps exactly.
  const seed = ui.form.elements.namedItem('seed').value.trim();
  if (seed !== '') input.seed = seed;
  return { input };
}

function wsClient() {
  client ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
    connectionParams: () => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    lazy: true,
    retryAttempts: 0, // a person is watching: say what failed rather than retry behind their back
  });
  return client;
}

/** What graphql-ws hands to `error`: an operation's GraphQL errors, a CloseEvent, or an Error. */
function describeFailure(failure) {
  if (Array.isArray(failure)) return { text: describeError(failure[0] ?? { message: 'the operation failed' }) };
  if (typeof failure?.code === 'number') {
    if (failure.code === 4401) return { text: 'UNAUTHENTICATED: the gateway refused the API key (WebSocket closed with 4401). Enter a valid key above.' };
    return { text: `the connection to the gateway closed (${failure.code}${failure.reason ? `: ${failure.reason}` : ''})` };
  }
  return { text: failure?.message ?? String(failure) };
}

function generate() {
  if (run) return;
  const { input, problem, field } = readInput();
  if (problem) return showError(problem, field);
  if (!input.modelId) return showError('No model to use: load the models first (an API key may be needed).');
  showError('');
  const tokens = document.createTextNode('');
  ui.output.replaceChildren(tokens);
  const state = { tokens, startedAt: performance.now(), firstAt: 0, lastAt: 0, count: 0, details: null, failure: null, ended: false };
  run = state;
  renderStats(state);
  setRunning(true);
  setStatus(ui.status, '… Generating');
  state.unsubscribe = wsClient().subscribe({ query: STREAM, variables: { input } }, {
    next: (result) => onResult(state, result),
    error: (failure) => end(state, 'failed', describeFailure(failure)),
    complete: () => end(state, state.failure ? 'failed' : 'finished', state.failure),
  });
}

function onResult(state, { data, errors }) {
  // A failure before or after tokens arrives as a payload with errors, then `complete`.
  if (errors?.length) state.failure = { text: describeError(errors[0]), field: errors[0].extensions?.field };
  const event = data?.generateStream;
  if (!event || state.ended) return;
  const now = performance.now();
  if (state.count === 0) state.firstAt = now;
  state.lastAt = now;
  state.count += 1;
  if (!event.token.special) state.tokens.appendData(event.token.text);
  if (event.details) state.details = event.details;
  renderStats(state);
}

function renderStats(state) {
  ui.count.textContent = String(state.count);
  ui.first.textContent = state.count ? `${Math.round(state.firstAt - state.startedAt)} ms` : '–';
  // The decode rate: the wait for the first token is shown on its own.
  const seconds = (state.lastAt - state.firstAt) / 1000;
  ui.rate.textContent = state.count > 1 && seconds > 0 ? ((state.count - 1) / seconds).toFixed(1) : '–';
  ui.finish.textContent = state.details?.finishReason ?? '–';
}

/** Sends graphql-ws `complete` for the operation: the gateway then ends the TGI request. */
function stop() {
  if (!run) return;
  const state = run;
  state.unsubscribe();
  end(state, 'stopped');
}

function end(state, how, failure) {
  if (state.ended) return;
  state.ended = true;
  run = undefined;
  setRunning(false);
  renderStats(state);
  const tokens = `${state.count} token${state.count === 1 ? '' : 's'}`;
  if (how === 'stopped') setStatus(ui.status, `■ Stopped after ${tokens}.`);
  else if (how === 'failed') {
    setStatus(ui.status, `✗ Failed after ${tokens}.`, 'bad');
    showError(failure?.text ?? 'the generation failed', failure?.field);
  } else setStatus(ui.status, `✓ Finished (${state.details?.finishReason ?? 'no finish reason'}) after ${tokens}.`, 'good');
}

/** Keeps keyboard focus on a usable button as Generate and Stop trade places. */
function setRunning(running) {
  const focused = document.activeElement;
  ui.generate.disabled = running;
  ui.stop.disabled = !running;
  if (running && focused === ui.generate) ui.stop.focus();
  if (!running && focused === ui.stop) ui.generate.focus();
}

function useKey() {
  apiKey = ui.key.value.trim();
  // A socket keeps the key it was opened with: the next generation opens one with this key.
  client?.dispose();
  client = undefined;
  void loadModels();
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  generate();
});
ui.stop.addEventListener('click', stop);
ui.useKey.addEventListener('click', useKey);
ui.key.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault(); // Enter here means "use this key", not "generate"
  useKey();
});
ui.refresh.addEventListener('click', () => void loadModels());
ui.model.addEventListener('change', showHealth);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    generate();
  } else if (event.key === 'Escape' && run) stop();
});

void loadModels();
