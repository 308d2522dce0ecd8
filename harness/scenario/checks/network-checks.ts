import { createServer, type AddressInfo } from 'node:net';
import { HOST_ADDRESS_IN_GUEST } from '../../qemu/guest-network.js';
import type { Check } from '../define-scenario.js';

/** Checks of what the guest can reach on the network. */

/**
 * The guest is hermetic: from inside it, a TCP port the harness did not forward is unreachable
 * even on the host's own loopback (slirp's host address 10.0.2.2 with restrict=on), while the
 * forwarded publisher answers. The probe target is a canary server the check starts on the
 * host's 127.0.0.1: it must see no connection. No traffic leaves the machine.
 */
export function guestIsHermetic(): Check {
  return {
    name: 'the guest reaches the forwarded publisher and nothing else',
    async run({ shell, isoUrl }) {
      const canary = createServer();
      let connections = 0;
      canary.on('connection', (socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
      const port = (canary.address() as AddressInfo).port;
      try {
        const sh = await shell();
        const blocked = await sh.run(`curl -s -o /dev/null --max-time 5 http://${HOST_ADDRESS_IN_GUEST}:${port}/ ; echo curl-exit=$?`);
        // HEAD: proves the forward without moving the ISO a second time.
        const forwarded = await sh.run(`curl -s -I -o /dev/null -w '%{http_code}' --max-time 10 ${isoUrl} ; echo`);
        const curlExit = Number(/curl-exit=(\d+)/.exec(blocked.output)?.[1] ?? '0');
        const forwardedOk = /\b200\b/.test(forwarded.output);
        const ok = curlExit !== 0 && connections === 0 && forwardedOk;
        return {
          ok,
          detail: `unforwarded host port ${port} via ${HOST_ADDRESS_IN_GUEST}: curl exit ${curlExit}, canary saw ${connections} connection(s); forwarded publisher: HTTP ${forwarded.output.trim() || 'no answer'}`,
        };
      } finally {
        await new Promise<void>((resolve) => canary.close(() => resolve()));
      }
    },
  };
}
