// Reading a server's JSON once, at the edge, for every protocol: anything
// malformed is a protocol failure rather than a crash further up.
import { UpstreamError } from './errors.ts';

export type Json = Record<string, unknown>;

export const protocolError = (detail: string): UpstreamError => new UpstreamError({ kind: 'protocol', detail });

export function parseJsonObject(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw protocolError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocolError(`${what} is not a JSON object`);
  return value as Json;
}

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

