// Bytes on the wire for the hostile suite: raw HTTP/1.1 over TCP (for requests
// fetch refuses to send) and graphql-ws sessions on a real WebSocket (`ws`),
// every wait bounded by ANSWER_MS.
import { connect } from 'node:net';
import WebSocket from 'ws';
import { ANSWER_MS, errorProblems, leaks, type Answer, type Target } from './checks.ts';

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD's bytes). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

/** Sends `bytes` as they are (half-closing after them) and returns every response that came back. */
export function rawRequest(port: number, bytes: string | Buffer): Promise<Answer[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve([{ status: 0, headers: {}, body: 'no answer' }]);
    }, ANSWER_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const answers = parseResponses(Buffer.concat(chunks));
      resolve(answers.length > 0 ? answers : [{ status: -1, headers: {}, body: 'closed without an answer' }]);
    });
  });
}

function parseResponses(data: Buffer): Answer[] {
  const answers: Answer[] = [];
  let rest = data;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) break;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    let body = rest.subarray(end + 4);
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (let at = 0; ;) {
        const eol = body.indexOf('\r\n', at);
        const size = eol === -1 ? 0 : parseInt(body.subarray(at, eol).toString(), 16);
        if (!(size > 0)) {
          rest = eol === -1 ? Buffer.alloc(0) : body.subarray(body.indexOf('\r\n\r\n', at) + 4);
          break;
        }
        parts.push(body.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const length = headers['content-length'] === undefined ? body.length : Number(headers['content-length']);
      rest = body.subarray(length);
      body = body.subarray(0, length);
    }
    answers.push({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? -1), headers, body: body.toString('utf8') });
  }
  return answers;
}

export interface Frame {
  data: string | Buffer;
  /** A binary frame; a Buffer in a text frame is sent as is (invalid UTF-8 included). */
  binary?: boolean;
}

export interface WsOutcome {
  /** The handshake's HTTP status when the server refused the upgrade. */
  refused?: number;
  acked: boolean;
  messages: string[];
  close?: { code: number; reason: string };
  /** Whether the socket still answered a ping after the frames (checked only while it is open). */
  alive?: boolean;
}

const nextEvent = (socket: WebSocket, event: 'open' | 'close', ms: number) =>
  new Promise<boolean>((resolve) => {
    if (event === 'close' && socket.readyState === WebSocket.CLOSED) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once(event, () => (clearTimeout(timer), resolve(true)));
    socket.once('error', () => (clearTimeout(timer), resolve(event === 'close')));
  });

/**
 * Opens a graphql-ws socket, sends `connection_init` first when `init`, then the
 * frames; waits for the server to close it or to end each operation of `ids`
 * (an `error` or a `complete`), then pings it. Never waits past ANSWER_MS per step.
 */
export async function wsSession(wsUrl: string, options: { init: boolean; frames: Frame[]; ids?: string[]; protocols?: string[] }): Promise<WsOutcome> {
  const socket = new WebSocket(wsUrl, options.protocols ?? ['graphql-transport-ws'], { maxPayload: 64 << 20 });
  const outcome: WsOutcome = { acked: false, messages: [] };
  const ended = new Set<string>();
  let onMessage = () => undefined as void;
  socket.on('unexpected-response', (_req, res) => {
    outcome.refused = res.statusCode;
    res.resume();
    socket.terminate();
  });
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    outcome.messages.push(text);
    const message = (() => { try { return JSON.parse(text) as { type?: string; id?: string }; } catch { return {}; } })();
    if (message.type === 'connection_ack') outcome.acked = true;
    if ((message.type === 'error' || message.type === 'complete') && typeof message.id === 'string') ended.add(message.id);
    onMessage();
  });
  // Only a close the server started counts: the one that ends the session is ours.
  let closing = false;
  socket.on('close', (code: number, reason: Buffer) => {
    if (!closing) outcome.close = { code, reason: reason.toString() };
  });
  socket.on('error', () => undefined);
  const until = (done: () => boolean) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ANSWER_MS);
    const check = () => { if (done() || outcome.close) (clearTimeout(timer), resolve()); };
    onMessage = check;
    socket.once('close', check);
    check();
  });
  try {
    if (!(await nextEvent(socket, 'open', ANSWER_MS))) return outcome;
    if (options.init) {
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await until(() => outcome.acked);
      if (!outcome.acked) return outcome;
    }
    for (const frame of options.frames) socket.send(frame.data, { binary: frame.binary ?? false });
    const ids = options.ids ?? [];
    await until(() => ids.length > 0 && ids.every((id) => ended.has(id)));
    if (!outcome.close && socket.readyState === WebSocket.OPEN) {
      const pongs = () => outcome.messages.some((m) => m.includes('"pong"'));
      socket.send(JSON.stringify({ type: 'ping' }));
      await until(pongs);
      outcome.alive = pongs();
    }
    return outcome;
  } finally {
    closing = true;
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    if (!(await nextEvent(socket, 'close', 1000))) socket.terminate();
  }
}

/** Close codes that name the client's fault: protocol, payload, policy, size, graphql-ws's 44xx. */
const CLIENT_FAULT_CLOSE = (code: number) => [1002, 1003, 1007, 1008, 1009].includes(code) || (code >= 4400 && code <= 4499);

/**
 * `close`: the server must close the socket with a code naming the client's fault.
 * `operation`: it must end each operation with errors and no data (an `error`,
 * or a `next` with errors then `complete`) and keep the socket open, unless it
 * refuses a duplicate id (4409) or a frame too large (1009) by closing.
 */
export function checkWs(outcome: WsOutcome, target: Target, expect: 'close' | 'operation', ids: readonly string[] = []): string[] {
  const said = `messages ${JSON.stringify(outcome.messages.map((m) => m.slice(0, 300)))}, close ${JSON.stringify(outcome.close)}`;
  const problems = [...outcome.messages, outcome.close?.reason ?? ''].flatMap((text) => leaks(text, target)).map((l) => `leaks ${l}: ${said}`);
  if (outcome.refused !== undefined) {
    if (outcome.refused < 400 || outcome.refused >= 500) problems.push(`the handshake got ${outcome.refused}`);
    return problems;
  }
  for (const text of outcome.messages) {
    const message = JSON.parse(text) as { type?: string; payload?: { data?: unknown; errors?: unknown } | unknown[] };
    if (message.type === 'error') problems.push(...errorProblems(message.payload, `error message ${text.slice(0, 300)}`));
    if (message.type === 'next' && !Array.isArray(message.payload)) {
      if (message.payload?.data !== undefined && message.payload.data !== null) problems.push(`an operation ran: ${text.slice(0, 300)}`);
      problems.push(...errorProblems(message.payload?.errors, `next message ${text.slice(0, 300)}`));
    }
  }
  if (outcome.close) {
    const { code } = outcome.close;
    if (!CLIENT_FAULT_CLOSE(code)) problems.push(`closed with ${code} (not a client-fault code): ${said}`);
    else if (expect === 'operation' && code !== 4409 && code !== 1009) problems.push(`closed the socket for an operation's error: ${said}`);
    return problems;
  }
  if (expect === 'close') problems.push(`the socket was not closed within ${ANSWER_MS} ms: ${said}`);
  else {
    const ended = new Set(outcome.messages.map((m) => JSON.parse(m) as { type?: string; id?: string }).filter((m) => m.type === 'error' || m.type === 'complete').map((m) => m.id));
    const open = ids.filter((id) => !ended.has(id));
    if (open.length > 0) problems.push(`no error or complete within ${ANSWER_MS} ms for ${open.length} operation(s): ${said}`);
    if (outcome.alive !== true) problems.push(`the socket did not answer a ping after the operation: ${said}`);
  }
  return problems;
}
