// Slow and abusive HTTP clients for tests and the slow-clients bench: sockets that send their headers or their
// body a byte at a time (slowloris), each from a chosen loopback address so the server sees several clients.
import { connect, type Socket } from 'node:net';

export interface SlowSocket {
  /** Whether the server closed it (the client never does until `stop`). */
  readonly closedByServer: boolean;
  /** What the server answered before closing, if anything (`HTTP/1.1 408 ...`). */
  readonly answer: string;
  stop(): void;
}

export interface SlowSocketOptions {
  port: number;
  /** Loopback address to connect from, for example 127.0.0.2 (Linux answers the whole 127.0.0.0/8). */
  from: string;
  /** `headers`: never finishes its headers; `body`: sends complete headers, then a body that never ends. */
  kind: 'headers' | 'body';
  /** Pause between two drips. */
  dripMs?: number;
}

/** Opens one slow socket; resolves once it is connected (or immediately refused). */
export function openSlowSocket(options: SlowSocketOptions): Promise<SlowSocket> {
  return new Promise((resolve) => {
    let closedByServer = false;
    let stopped = false;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const socket: Socket = connect({ host: '127.0.0.1', port: options.port, localAddress: options.from });
    const handle: SlowSocket = {
      get closedByServer() {
        return closedByServer;
      },
      get answer() {
        return answer;
      },
      stop() {
        stopped = true;
        clearInterval(timer);
        socket.destroy();
      },
    };
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      if (!stopped) closedByServer = true;
      resolve(handle);
    });
    socket.on('connect', () => {
      if (options.kind === 'headers') {
        socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
        let n = 0;
        timer = setInterval(() => socket.write(`X-Drip-${n++}: a\r\n`), options.dripMs ?? 500);
      } else {
        socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"query":"');
        timer = setInterval(() => socket.write(' '), options.dripMs ?? 500);
      }
      resolve(handle);
    });
  });
}

/** Opens `count` slow sockets spread over the loopback addresses `from`, alternating header and body drips. */
export async function openSlowSockets(port: number, count: number, from: readonly string[], dripMs?: number): Promise<SlowSocket[]> {
  const sockets: SlowSocket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      openSlowSocket({ port, from: from[(i + j) % from.length]!, kind: (i + j) % 2 === 0 ? 'headers' : 'body', dripMs }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}
