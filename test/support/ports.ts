// Ports for fault tests.
import * as net from 'net';

/** A port on 127.0.0.1 nothing listens on (bound, then closed): connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
