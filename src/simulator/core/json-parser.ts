// A strict JSON parser (RFC 8259) that keeps number source text, with serde_json's
// error wording so 400 answers read like TGI's.

import { JsonNumber, type JsonValue } from './json.ts';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class JsonSyntaxError extends Error {}

class Parser {
  #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parseDocument(): JsonValue {
    const value = this.#value();
    this.#skipWhitespace();
    if (this.#at < this.#text.length) this.#fail('trailing characters');
    return value;
  }

  #fail(what: string, at = this.#at): never {
    const before = this.#text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + (at < this.#text.length ? 1 : 0);
    throw new JsonSyntaxError(`${what} at line ${line} column ${column}`);
  }

  #skipWhitespace(): void {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.exec(this.#text);
    this.#at = WHITESPACE.lastIndex;
  }

  #value(): JsonValue {
    this.#skipWhitespace();
    const char = this.#text[this.#at];
    if (char === undefined) this.#fail('EOF while parsing a value');
    if (char === '{') return this.#object();
    if (char === '[') return this.#array();
    if (char === '"') return this.#string();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.#text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.#at;
    const number = NUMBER.exec(this.#text);
    if (number === null) this.#fail('expected value');
    this.#at = NUMBER.lastIndex;
    return new JsonNumber(number[0]);
  }

  #string(): string {
    const start = this.#at;
    this.#at += 1;
    for (;;) {
      const char = this.#text[this.#at];
      if (char === undefined) this.#fail('EOF while parsing a string');
      if (char === '"') break;
      if (char < ' ') this.#fail('control character (\\u0000-\\u001F) found while parsing a string');
      this.#at += char === '\\' ? 2 : 1;
    }
    this.#at += 1;
    try {
      return JSON.parse(this.#text.slice(start, this.#at)) as string;
    } catch {
      return this.#fail('invalid escape', start);
    }
  }

  #array(): JsonValue[] {
    this.#at += 1;
    const items: JsonValue[] = [];
    this.#skipWhitespace();
    if (this.#text[this.#at] === ']') {
      this.#at += 1;
      return items;
    }
    for (;;) {
      items.push(this.#value());
      if (this.#separator(']', 'an array')) return items;
    }
  }

  #object(): { [key: string]: JsonValue } {
    this.#at += 1;
    const members: { [key: string]: JsonValue } = {};
    this.#skipWhitespace();
    if (this.#text[this.#at] === '}') {
      this.#at += 1;
      return members;
    }
    for (;;) {
      this.#skipWhitespace();
      if (this.#text[this.#at] === undefined) this.#fail('EOF while parsing an object');
      if (this.#text[this.#at] !== '"') this.#fail('key must be a string');
      const key = this.#string();
      this.#skipWhitespace();
      if (this.#text[this.#at] !== ':') this.#fail(this.#at >= this.#text.length ? 'EOF while parsing an object' : 'expected `:`');
      this.#at += 1;
      // defineProperty keeps "__proto__" an ordinary key.
      Object.defineProperty(members, key, { value: this.#value(), enumerable: true, writable: true, configurable: true });
      if (this.#separator('}', 'an object')) return members;
    }
  }

  /** After an item: true at the closing bracket, false after a comma. */
  #separator(close: string, container: string): boolean {
    this.#skipWhitespace();
    const char = this.#text[this.#at];
    if (char === undefined) this.#fail(`EOF while parsing ${container}`);
    this.#at += 1;
    if (char === close) return true;
    if (char !== ',') this.#fail(`expected \`,\` or \`${close}\``, this.#at - 1);
    return false;
  }
}

/** Throws an Error whose message reads like serde_json's. */
export function parseJson(text: string): JsonValue {
  return new Parser(text).parseDocument();
}
