// How the conversation looks: finished messages, the answer streaming in (its
// text, its tool calls with their arguments filling in, its JSON so far) and
// what a screen reader is told. Only text nodes and textContent are written,
// so nothing a model says can become markup.

/** An element with properties (or attributes, for names that are not properties) and children. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const pretty = (value) => JSON.stringify(value, null, 2);

/** A message of the conversation as sent: the user's, or the result given to a tool call. */
function messageView(message, toolName) {
  const title = message.role === 'TOOL' ? `Tool result for ${toolName} (${message.toolCallId})` : 'You';
  const body = el('div', { className: message.role === 'TOOL' ? 'content code' : 'content' }, message.content);
  return el('article', { className: `message ${message.role.toLowerCase()}` }, el('h3', {}, title), body);
}

/**
 * Keeps the conversation scrolled to its end as it grows, unless its reader
 * has scrolled up to read something earlier. Scrolls at most once a frame:
 * measuring the layout on every delta of a fast stream would cost more than drawing it.
 */
class EndFollower {
  #container;
  #atEnd = true;
  #frame = 0;

  constructor(container) {
    this.#container = container;
    container.addEventListener('scroll', () => {
      this.#atEnd = container.scrollHeight - container.scrollTop - container.clientHeight < 48;
    });
  }

  /** Back to the end and following it: the reader has just sent something. */
  follow() {
    this.#atEnd = true;
    this.grew();
  }

  grew() {
    if (!this.#atEnd) return;
    this.#frame ||= requestAnimationFrame(() => {
      this.#frame = 0;
      this.#container.scrollTop = this.#container.scrollHeight;
    });
  }
}

/**
 * The assistant's answer while it streams. Text is appended as it comes; the
 * pretty-printed JSON views (partial objects, call arguments) are redrawn at
 * most once a frame, as a fast stream brings many events per frame.
 */
class AnswerView {
  #follower;
  #content = el('div', { className: 'content' });
  #object = el('pre', { className: 'object', hidden: true, 'aria-label': 'The JSON answer so far' });
  #calls = el('ol', { className: 'calls', hidden: true, 'aria-label': 'Tool calls' });
  #note = el('p', { className: 'note' });
  #text = document.createTextNode('');
  /** index → { id, name, text, partial, problems, view } */
  #callsByIndex = new Map();
  #partialContent;
  #frame = 0;

  constructor(container, follower) {
    this.#follower = follower;
    this.#content.append(this.#text);
    this.element = el('article', { className: 'message assistant', 'aria-busy': 'true' },
      el('h3', {}, 'Assistant'), this.#content, this.#object, this.#calls, this.#note);
    container.append(this.element);
    follower.grew();
  }

  appendText(text) {
    this.#text.appendData(text);
    this.#follower.grew();
  }

  /** One ToolCallDelta; returns the call's name when this delta is its first (to announce it). */
  toolCallDelta(delta) {
    let call = this.#callsByIndex.get(delta.index);
    const isNew = call === undefined;
    if (isNew) {
      call = { id: '', name: '', text: '', partial: undefined, problems: [], view: this.#callView() };
      this.#callsByIndex.set(delta.index, call);
    }
    if (delta.id) call.id = delta.id;
    if (delta.name) call.name = delta.name;
    call.text += delta.argumentsDelta;
    if (delta.partialArguments !== undefined && delta.partialArguments !== null) call.partial = delta.partialArguments;
    this.#redrawSoon();
    return isNew ? call.name : undefined;
  }

  /** The JSON answer so far (JSON mode); null or absent leaves the text shown. */
  partialContent(value) {
    if (value === undefined || value === null) return;
    this.#partialContent = value;
    this.#redrawSoon();
  }

  /** The calls as the last event assembles them: parsed arguments and where they break the schema. */
  finalToolCalls(toolCalls) {
    toolCalls.forEach((final, index) => {
      let call = this.#callsByIndex.get(index);
      if (!call) {
        call = { view: this.#callView() };
        this.#callsByIndex.set(index, call);
      }
      Object.assign(call, {
        id: final.id, name: final.name, text: final.arguments,
        partial: final.parsedArguments ?? undefined, problems: final.validationErrors ?? [],
      });
    });
    this.#redraw();
  }

  /** The answer is over: draws what is pending and says how it ended. */
  finish(note, tone) {
    this.#redraw();
    this.#note.textContent = note;
    this.#note.className = `note ${tone ?? ''}`;
    this.element.setAttribute('aria-busy', 'false');
  }

  remove() {
    cancelAnimationFrame(this.#frame);
    this.element.remove();
  }

  #callView() {
    const view = {
      name: el('code'), id: el('span', { className: 'call-id' }),
      args: el('pre', { className: 'arguments' }), problems: el('ul', { className: 'problems bad' }),
    };
    const head = el('p', { className: 'call-head' }, 'Calls ', view.name, ' ', view.id);
    this.#calls.append(el('li', { className: 'call' }, head, view.args, view.problems));
    this.#calls.hidden = false;
    return view;
  }

  #redrawSoon() {
    this.#frame ||= requestAnimationFrame(() => this.#redraw());
  }

  #redraw() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#partialContent !== undefined) {
      this.#object.textContent = pretty(this.#partialContent);
      this.#object.hidden = false;
      this.#content.hidden = true; // the same answer, shown as the object it is becoming
    }
    for (const call of this.#callsByIndex.values()) {
      call.view.name.textContent = call.name || '…';
      call.view.id.textContent = call.id ? `(${call.id})` : '';
      call.view.args.textContent = call.partial !== undefined ? pretty(call.partial) : call.text;
      call.view.problems.replaceChildren(...call.problems.map((p) => el('li', {}, `✗ ${p}`)));
    }
    this.#follower.grew();
  }
}

/**
 * A polite live region fed with the streamed text: it reads whole sentences
 * as they complete, not every fragment the model sends.
 */
class Announcer {
  #region;
  #pending = '';

  constructor(region) {
    this.#region = region;
  }

  reset() {
    this.#pending = '';
    this.#region.replaceChildren();
  }

  say(text) {
    this.#region.append(el('p', {}, text));
  }

  feed(text) {
    this.#pending += text;
    let end = 0;
    for (const match of this.#pending.matchAll(/[.!?…](?=\s)|\n/g)) end = match.index + match[0].length;
    if (end === 0) return;
    const sentences = this.#pending.slice(0, end);
    this.#pending = this.#pending.slice(end);
    if (sentences.trim()) this.say(sentences.trim());
  }

  flush() {
    if (this.#pending.trim()) this.say(this.#pending.trim());
    this.#pending = '';
  }
}
