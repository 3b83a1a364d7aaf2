// A whole readable stream into memory, within a byte bound, read by its events:
// an async iterator would cost a promise per chunk and one more per body, on
// every request and every unary answer. The callers decide what a body too
// large or a broken stream means to them.
import type { Readable } from 'node:stream';

export type ReadOutcome =
  | { ok: true; bytes: Buffer }
  /** Past the bound: reading stopped there (the caller drops or pauses the stream). */
  | { ok: false; tooLarge: true }
  /** The stream failed, or closed before its end. */
  | { ok: false; tooLarge: false; error: unknown };

const ignore = (): void => {};

export function readStream(stream: Readable, limit: number): Promise<ReadOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: ReadOutcome) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) settle({ ok: false, tooLarge: true });
      else chunks.push(chunk);
    };
    const onEnd = () => settle({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onError = (error: unknown) => {
      // A stream destroyed after this may still emit: nobody is listening any more.
      stream.on('error', ignore);
      settle({ ok: false, tooLarge: false, error });
    };
    const onClose = () => onError(Object.assign(new Error('the stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    stream.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}
