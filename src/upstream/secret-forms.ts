// The forms in which a server may echo a secret it was sent: the text in any
// letter case, and its base64 and base64url encodings however it sat in the
// encoded input (a server may encode a whole header, "Bearer <key>").

/** One form of a secret, and whether letter case tells it apart (base64 does, text does not). */
export interface SecretForm {
  readonly text: string;
  readonly caseSensitive: boolean;
}

/**
 * The secret's text, and the part of its base64 (and base64url) encoding that
 * is the same wherever it starts in the encoded bytes: at an offset of 0, 1
 * or 2 bytes into a 3-byte group, the leading characters that mix in the bytes
 * before it, and the trailing ones that mix in the bytes after it, are left out.
 */
export function secretForms(secret: string): SecretForm[] {
  const forms: SecretForm[] = [{ text: secret, caseSensitive: false }];
  const bytes = Buffer.from(secret, 'utf8');
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const mixedBefore = Math.ceil((offset * 8) / 6);
    const whole = Math.floor((offset + bytes.length) / 3) * 4;
    const core = encoded.slice(mixedBefore, whole);
    if (core.length === 0) continue;
    forms.push({ text: core, caseSensitive: true });
    const url = core.replaceAll('+', '-').replaceAll('/', '_');
    if (url !== core) forms.push({ text: url, caseSensitive: true });
  }
  return forms;
}
