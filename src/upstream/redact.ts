// A model server may echo what it was sent, the upstream API key included:
// whatever it says reaches clients and logs only with the key blotted out.
import { UpstreamError } from './errors.ts';

/** The error with every occurrence of `secret` blotted out of its message (a server may echo what it was sent). */
export function redacted(error: unknown, secret: string | undefined): unknown {
  if (!secret || !(error instanceof UpstreamError)) return error;
  const f = error.failure;
  if ((f.kind === 'http' || f.kind === 'in-band') && f.message.includes(secret)) {
    return new UpstreamError({ ...f, message: f.message.replaceAll(secret, '[redacted]') });
  }
  return error;
}
