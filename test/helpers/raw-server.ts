import { createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP server that answers an upgrade request however a test says: the way to produce
 * every outcome class on purpose. `onRequest` gets the socket and the request head text.
 */
export async function rawServer(
  onRequest: (socket: Socket, head: string) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        socket.removeAllListeners('data');
        onRequest(socket, buf);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The accept value a request head asks for (RFC 6455), for servers that answer correctly. */
export function requestKey(head: string): string {
  return /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
}
