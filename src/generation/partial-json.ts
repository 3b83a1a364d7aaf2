// JSON text read as it arrives, shown as a partial value (API.md § Tool
// calls, "Partial values"): what is unfinished is closed, and the value is
// stream-stable — a key or element once shown never disappears or changes
// type, a number, true, false or null appears only once complete, and only
// the last string grows. Each piece of text is read once, character by
// character, into one value that grows in place: the cost of a delta is its
// length, never the text so far. Text that stops being JSON freezes the value
// where it was.
import type { JsonValue } from '../upstream/types.ts';

type Container = { [key: string]: JsonValue } | JsonValue[];

interface Frame {
  container: Container;
  /** In an object: the key the next value goes under (set once its string is read). */
  key: string | undefined;
}

const Mode = {
  /** A value may start here. */
  Value: 0,
  /** A value just ended: a comma, a close, or (at the top) nothing more. */
  After: 1,
  /** In an object, after `{` or `,`: a key's string, or (after `{`) the close. */
  Key: 2,
  /** After a key: the colon. */
  Colon: 3,
  /** Inside a string (a key's or a value's). */
  Text: 4,
  /** Inside a number or a literal (true, false, null). */
  Bare: 5,
  /** The text is not JSON (or has something after its value): nothing changes any more. */
  Broken: 6,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const BARE = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

export class PartialJson {
  #mode: Mode = Mode.Value;
  readonly #stack: Frame[] = [];
  #root: JsonValue | undefined;
  /** The string being read: its text so far, and whether it is a key. */
  #text = '';
  #isKey = false;
  /** Inside a string: after a backslash, or the hex digits of a \u escape so far. */
  #escape: string | null = null;
  #bare = '';
  /** Whether an empty container was just opened (a close or a first key may follow, not a comma). */
  #fresh = false;

  /** The value so far; undefined while nothing is shown yet. */
  get value(): JsonValue | undefined {
    return this.#root;
  }

  /** Whether the text so far could still become JSON. */
  get broken(): boolean {
    return this.#mode === Mode.Broken;
  }

  push(piece: string): void {
    for (let i = 0; i < piece.length && this.#mode !== Mode.Broken; i++) this.#read(piece[i]!);
    // A string grows once per piece, not once per character.
    if (this.#mode === Mode.Text && !this.#isKey) this.#place(this.#text, true);
  }

  /** The end of the text: a number at the very end is complete now. */
  end(): void {
    if (this.#mode === Mode.Bare) this.#endBare();
  }

  #read(c: string): void {
    switch (this.#mode) {
      case Mode.Text:
        return this.#readText(c);
      case Mode.Bare:
        if (/[0-9a-zA-Z.+-]/.test(c)) {
          this.#bare += c;
          return;
        }
        this.#endBare();
        if ((this.#mode as Mode) !== Mode.Broken) this.#read(c);
        return;
      default:
        if (WHITESPACE.has(c)) return;
    }
    switch (this.#mode) {
      case Mode.Value:
        return this.#startValue(c);
      case Mode.Key:
        if (c === '"') {
          this.#startText(true);
        } else if (c === '}' && this.#fresh) {
          this.#close();
        } else this.#break();
        return;
      case Mode.Colon:
        if (c === ':') this.#mode = Mode.Value;
        else this.#break();
        return;
      case Mode.After:
        return this.#readAfter(c);
    }
  }

  #startValue(c: string): void {
    if (c === '{' || c === '[') {
      const container: Container = c === '{' ? {} : [];
      this.#place(container, false);
      this.#stack.push({ container, key: undefined });
      this.#fresh = true;
      this.#mode = c === '{' ? Mode.Key : Mode.Value;
    } else if (c === ']' && this.#fresh && Array.isArray(this.#top()?.container)) {
      this.#close();
    } else if (c === '"') {
      this.#startText(false);
      this.#place('', false);
    } else if (/[-0-9tfn]/.test(c)) {
      this.#bare = c;
      this.#mode = Mode.Bare;
    } else this.#break();
  }

  #readAfter(c: string): void {
    const top = this.#top();
    if (!top) return this.#break(); // something after the value
    const isArray = Array.isArray(top.container);
    if (c === ',') {
      this.#fresh = false;
      this.#mode = isArray ? Mode.Value : Mode.Key;
    } else if (c === (isArray ? ']' : '}')) this.#close();
    else this.#break();
  }

  #startText(isKey: boolean): void {
    this.#text = '';
    this.#isKey = isKey;
    this.#escape = null;
    this.#mode = Mode.Text;
  }

  #readText(c: string): void {
    if (this.#escape !== null) {
      if (this.#escape === '') {
        if (c === 'u') this.#escape = 'u';
        else if (c in ESCAPES) {
          this.#text += ESCAPES[c];
          this.#escape = null;
        } else this.#break();
        return;
      }
      if (!/[0-9a-fA-F]/.test(c)) return this.#break();
      this.#escape += c;
      if (this.#escape.length === 5) {
        this.#text += String.fromCharCode(Number.parseInt(this.#escape.slice(1), 16));
        this.#escape = null;
      }
      return;
    }
    if (c === '\\') this.#escape = '';
    else if (c === '"') this.#endText();
    else if (c < ' ') this.#break();
    else this.#text += c;
  }

  #endText(): void {
    this.#fresh = false;
    if (this.#isKey) {
      this.#top()!.key = this.#text;
      this.#mode = Mode.Colon;
    } else {
      this.#place(this.#text, true);
      this.#mode = Mode.After;
    }
    this.#text = '';
  }

  #endBare(): void {
    if (!BARE.test(this.#bare)) return this.#break();
    const value: JsonValue = this.#bare === 'true' ? true : this.#bare === 'false' ? false : this.#bare === 'null' ? null : Number(this.#bare);
    this.#place(value, false);
    this.#fresh = false;
    this.#mode = Mode.After;
  }

  #close(): void {
    this.#stack.pop();
    this.#fresh = false;
    this.#mode = Mode.After;
  }

  #top(): Frame | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  /**
   * Puts a value where the text is: under the key, at the end of the array, or
   * as the root. `again` replaces the value placed last (a growing string).
   */
  #place(value: JsonValue, again: boolean): void {
    this.#fresh = false;
    const top = this.#top();
    if (!top) {
      this.#root = value;
      return;
    }
    if (Array.isArray(top.container)) {
      if (again) top.container[top.container.length - 1] = value;
      else top.container.push(value);
    } else {
      // Defined, not assigned: a key "__proto__" is an own property, as JSON.parse makes it,
      // never the object's prototype (a model's answer or arguments are anybody's text).
      Object.defineProperty(top.container, top.key!, { value, writable: true, enumerable: true, configurable: true });
    }
  }

  #break(): void {
    this.#mode = Mode.Broken;
  }
}
