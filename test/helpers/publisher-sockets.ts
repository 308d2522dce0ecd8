import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Publisher } from '../../harness/publish/publisher.js';

/** Where a publisher's service listens: the socket of its first forward. */
export const serviceSocket = (publisher: Publisher): string => publisher.forwards[0]!.hostSocket;

/** The socket behind a guest port of the publisher (FTP's passive ports, as announced). */
export function socketOfGuestPort(publisher: Publisher, guestPort: number): string {
  const forward = publisher.forwards.find((f) => f.guestPort === guestPort);
  if (!forward) throw new Error(`no forward of guest port ${guestPort}`);
  return forward.hostSocket;
}

/** A connection to the publisher's service socket, as the guest's relay makes it. */
export const connectToService = (publisher: Publisher): Socket => connect(serviceSocket(publisher));

/** curl's arguments that reach an http(s) publisher through its socket (curl's FTP cannot: see guest-view.ts). */
export const curlThrough = (publisher: Publisher, urlPath: string): string[] => ['--unix-socket', serviceSocket(publisher), publisher.url('10.0.2.100', urlPath)];

/** The status and body of a GET through a UNIX socket. */
export function getThrough(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath, headers: { host: '10.0.2.100' } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
