// Seeds are unsigned 64-bit (TGI's; other servers take fewer bits, which
// validate.ts checks) and a seed a server returns must replay its generation,
// so a seed is a bigint from the edge (GraphQL's Seed scalar, the REST body) to
// the wire: a JS number holds integers exactly only up to 2^53.

export const MAX_SEED = 2n ** 64n - 1n;

/** What a seed must be, said after the field's name. */
export const SEED_RULE = `must be an integer from 0 to ${MAX_SEED}`;

/**
 * Decimal digits as JSON and GraphQL write integers: no sign, no exponent, no
 * leading zero, so the digits TGI receives are the very ones the client wrote.
 */
const DIGITS = /^(?:0|[1-9]\d{0,19})$/;

/** The seed these digits write, or undefined when they are not a u64 in that form. */
export function seedFromDigits(text: string): bigint | undefined {
  if (!DIGITS.test(text)) return undefined;
  const seed = BigInt(text);
  return seed <= MAX_SEED ? seed : undefined;
}

/** A JS number is a seed only while it is a safe integer: past 2^53 its digits are already lost. */
export function seedFromNumber(value: number): bigint | undefined {
  return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
}

/**
 * A seed as a client's JSON writes it: a string of decimal digits, or a number.
 * A number is read by its `source` text where the parser kept it (a REST body,
 * see json-input.ts), so every u64 is exact; without it (GraphQL variables,
 * which yoga parses) only up to 2^53.
 */
export function seedFromJson(value: unknown, source?: string): bigint | undefined {
  if (typeof value === 'string') return seedFromDigits(value);
  if (typeof value !== 'number') return undefined;
  return source === undefined ? seedFromNumber(value) : seedFromDigits(source);
}

/** Whether a refused number may have been a u64 that JSON parsing rounded. */
export const mayHaveLostDigits = (value: number): boolean =>
  Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER && value <= Number(MAX_SEED);
