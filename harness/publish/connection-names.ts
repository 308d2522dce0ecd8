import type { Server, Socket } from 'node:net';

/*
 * A connection to a UNIX socket has no peer address: Node reports none, and every peer would be
 * the guest's relay (or a process of the same user) anyway. What the transfer log can say is
 * which socket the connection came in on and which of its connections it was: `http.sock#3` is
 * the third connection accepted on http.sock. That tells a stray client's record from the
 * guest's, and `ss -xp` names the process behind a connection to that path while it is open.
 */
const names = new WeakMap<Socket, string>();

/** Names every connection `server` accepts `label#N`, N counting from 1. */
export function nameConnections(server: Server, label: string): void {
  let accepted = 0;
  // Prepended: the publisher's own 'connection' listeners may already ask for the name.
  server.prependListener('connection', (socket: Socket) => names.set(socket, `${label}#${++accepted}`));
}

/** The name of an accepted connection, or of the one a TLS socket reads through. */
export function connectionName(socket: Socket): string {
  const parent = (socket as unknown as { _parent?: Socket })._parent;
  return names.get(socket) ?? (parent && names.get(parent)) ?? 'unnamed connection';
}
