// graphql-sse has two modes. Its default, "distinct connections", is one
// event stream per operation: GraphQL over SSE as yoga serves it on /graphql.
// Its "single connection" mode reserves a stream with PUT, then sends each
// operation with the reservation's token; the gateway does not serve it, and
// says so in words instead of answering like a cross-site request.
import type { IncomingMessage } from 'node:http';

const TOKEN_HEADER = 'x-graphql-event-stream-token';

export const SINGLE_CONNECTION_MESSAGE =
  "graphql-sse's single-connection mode is not supported: create the client with singleConnection: false (its default), one event stream per operation";

/** The reason phrase carries the answer too: graphql-sse's client reports only the status line. */
export const SINGLE_CONNECTION_REASON = 'Single-connection mode not supported; use distinct connections';

/** Whether the request belongs to graphql-sse's single-connection mode (reservation, or an operation or stream under a token). */
export function isSingleConnectionMode(req: IncomingMessage): boolean {
  return req.method === 'PUT' || req.method === 'DELETE' || req.headers[TOKEN_HEADER] !== undefined;
}
