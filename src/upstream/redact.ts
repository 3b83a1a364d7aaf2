// A model server may echo what it was sent, the upstream API key included, and
// name its own address (host:port) in its messages: whatever it says reaches
// clients and logs only with those blotted out, in every form a server may
// give them (secret-forms.ts), and split across a message too: any run of
// FRAGMENT characters or more of a key is a piece of it.
import { UpstreamError, type UpstreamFailure } from './errors.ts';
import { secretForms, type SecretForm } from './secret-forms.ts';

export const REDACTED = '[redacted]';

/** Shorter pieces of a key are too common to tell from other text; a key is far longer. */
const FRAGMENT = 6;

export interface Secrets {
  /** The upstream API key: hidden whole, and any piece of it of FRAGMENT characters or more. */
  apiKey?: string | undefined;
  /** The replica's address (hostname, host:port), when clients may not see it: hidden whole. */
  address?: URL | undefined;
}

/** What one replica's answers may not show, and how they are cleaned of it. */
export class Redaction {
  readonly #pieces: readonly SecretForm[];
  readonly #wholes: readonly string[];

  constructor(secrets: Secrets) {
    this.#pieces = secrets.apiKey ? secretForms(secrets.apiKey) : [];
    const address = secrets.address;
    // host:port before the bare hostname, so that the longer one is blotted out whole.
    this.#wholes = address ? [...new Set([address.host, address.hostname].filter((name) => name !== ''))].map((name) => name.toLowerCase()) : [];
  }

  /** The text with every secret blotted out. */
  clean(text: string): string {
    if (this.#pieces.length === 0 && this.#wholes.length === 0) return text;
    const hidden = new Uint8Array(text.length);
    const lower = lowerCase(text);
    for (const form of this.#pieces) markPieces(form.caseSensitive ? text : lower, form.caseSensitive ? form.text : form.text.toLowerCase(), hidden);
    for (const whole of this.#wholes) markWholes(lower, whole, hidden);
    return blotted(text, hidden);
  }

  /** Whether the text shows no secret (a name a server reports, before clients see it). */
  mayShow(text: string): boolean {
    return this.clean(text) === text;
  }

  /** The error with its server's words cleaned; any other value as it is. */
  error(error: unknown): unknown {
    if (!(error instanceof UpstreamError)) return error;
    const failure = cleaned(error.failure, (text) => this.clean(text));
    return failure === error.failure ? error : new UpstreamError(failure);
  }
}

/** Lower case, one code unit for one (a few letters lengthen in lower case): the indices stay the text's. */
function lowerCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

function cleaned(f: UpstreamFailure, clean: (text: string) => string): UpstreamFailure {
  if (f.kind === 'http' || f.kind === 'in-band') {
    const message = clean(f.message);
    return message === f.message ? f : { ...f, message };
  }
  const detail = clean(f.detail);
  return detail === f.detail ? f : { ...f, detail };
}

/** Marks every run of `text` of FRAGMENT characters or more that is a piece of `secret`. */
function markPieces(text: string, secret: string, hidden: Uint8Array): void {
  const size = Math.min(FRAGMENT, secret.length);
  const starts = new Set<string>();
  for (let i = 0; i + size <= secret.length; i++) starts.add(secret.slice(i, i + size));
  for (let i = 0; i + size <= text.length; i++) {
    if (!starts.has(text.slice(i, i + size))) continue;
    // Grown while still a piece of the secret: a key's halves, a key cut short.
    let end = i + size;
    while (end < text.length && secret.includes(text.slice(i, end + 1))) end += 1;
    hidden.fill(1, i, end);
  }
}

function markWholes(text: string, whole: string, hidden: Uint8Array): void {
  for (let at = text.indexOf(whole); at !== -1; at = text.indexOf(whole, at + 1)) hidden.fill(1, at, at + whole.length);
}

/** Each run of hidden characters becomes one REDACTED. */
function blotted(text: string, hidden: Uint8Array): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += REDACTED;
  }
  return out;
}
