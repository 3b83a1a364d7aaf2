// What the gateway reads of graphql-ws's messages itself: which client
// messages it refuses while graphql-ws parses them, which server messages are
// events or the acknowledgement, and how a close reason fits its frame.

const SERVER_ONLY: ReadonlySet<unknown> = new Set(['connection_ack', 'next', 'error']);

/**
 * The reviver of graphql-ws's one parse of each message: at the root, the whole
 * message. A message only a server may send would make graphql-ws throw (4500);
 * refused while parsing, it is graphql-ws's own 4400 "Invalid message received".
 */
export function refuseServerMessages(key: string, value: unknown): unknown {
  if (key === '' && typeof value === 'object' && value !== null && SERVER_ONLY.has((value as { type?: unknown }).type)) {
    throw new Error('a client may not send this message type');
  }
  return value;
}

/** graphql-ws writes `{"id":…,"type":"next",…}`; a quote inside the id is escaped, so the first `"type":"` is the key. */
export const isNextMessage = (data: string): boolean => data.startsWith('next"', data.indexOf('"type":"') + 8);

/** graphql-ws writes `{"type":"connection_ack"…}`, the type first. */
export const isAckMessage = (data: string): boolean => data.startsWith('{"type":"connection_ack"');

/** A close reason within the 123 bytes a WebSocket close frame allows. */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let cut = reason.slice(0, 120);
  while (Buffer.byteLength(`${cut}...`) > 123) cut = cut.slice(0, -1);
  return `${cut}...`;
}
