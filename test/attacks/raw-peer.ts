// A WebSocket peer written by hand on a TCP socket, to behave as no client
// library lets one: never answer a close frame, never read, send pings and
// pongs of any size. Frames are masked with a zero key (valid, and readable).
import { connect, type Socket } from 'node:net';

export interface RawPeer {
  tcp: Socket;
  /** Every byte the gateway sent after the handshake, read or not yet. */
  received(): number;
  /** The close code of the first close frame among the bytes read, if one came. */
  closeCode(): number | undefined;
  /** Settles when the gateway ends or resets the TCP connection. */
  ended: Promise<void>;
  send(opcode: Opcode, payload: string | Buffer): boolean;
}

export const OPCODE = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;
type Opcode = (typeof OPCODE)[keyof typeof OPCODE];

/** A client frame: FIN, the opcode, the mask bit with a zero key, the payload as it is. */
export function clientFrame(opcode: Opcode, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = body.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length]) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126 && length < 65_536) {
    head.writeUInt8(0x80 | opcode, 0);
    head.writeUInt8(0x80 | 126, 1);
    head.writeUInt16BE(length, 2);
  } else if (length >= 65_536) {
    head.writeUInt8(0x80 | opcode, 0);
    head.writeUInt8(0x80 | 127, 1);
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, Buffer.alloc(4), body]);
}

/** Opens a graphql-transport-ws socket on `url`'s /graphql (`tcp.pause()` stops reading). */
export function openRawPeer(url: string): Promise<RawPeer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const tcp = connect(Number(port), hostname);
    let handshake = Buffer.alloc(0);
    let frames = Buffer.alloc(0);
    let upgraded = false;
    const ended = new Promise<void>((done) => tcp.once('close', () => done()));
    tcp.on('error', () => undefined);
    tcp.once('close', () => upgraded || reject(new Error('closed before the upgrade')));
    tcp.write(
      `GET /graphql HTTP/1.1\r\nhost: ${hostname}:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
        'sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    tcp.on('data', (chunk: Buffer) => {
      if (upgraded) {
        // Only the first bytes are kept: enough to read a close frame's code.
        if (frames.length < 64) frames = Buffer.concat([frames, chunk]).subarray(0, 64);
        return;
      }
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!handshake.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(handshake.toString('latin1', 0, end)));
      upgraded = true;
      frames = handshake.subarray(end + 4);
      resolve({
        tcp,
        received: () => tcp.bytesRead - end - 4,
        closeCode: () => (frames[0] === 0x88 && frames.length >= 4 ? frames.readUInt16BE(2) : undefined),
        ended,
        send: (opcode, payload) => tcp.write(clientFrame(opcode, payload)),
      });
    });
  });
}
