// What the gateway reads of graphql-ws's messages itself, and how it fits a close reason.

const SERVER_ONLY: ReadonlySet<unknown> = new Set(['connection_ack', 'next', 'error']);

/** The reviver of every message graphql-ws parses: at the root, the whole message. */
export function refuseServerMessages(key: string, value: unknown): unknown {
  if (key === '' && typeof value === 'object' && value !== null && SERVER_ONLY.has((value as { type?: unknown }).type)) {
    throw new Error('a client may not send this message type');
  }
  return value;
}

/**
 * The id of a client's `complete`, read only from messages that can be one. One
 * written otherwise (escaped, padded) is missed here: its operation then runs to
 * its end, still counted against WS_MAX_OPERATIONS and aborted when the socket closes.
 */
export function completedId(data: unknown): string | undefined {
  const text = String(data);
  if (text.length > 512 || !text.includes('"complete"')) return undefined;
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    return message.type === 'complete' && typeof message.id === 'string' ? message.id : undefined;
  } catch {
    return undefined; // graphql-ws answers malformed messages itself
  }
}

/** A close reason within the 123 bytes a WebSocket close frame allows. */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let cut = reason.slice(0, 120);
  while (Buffer.byteLength(`${cut}...`) > 123) cut = cut.slice(0, -1);
  return `${cut}...`;
}
