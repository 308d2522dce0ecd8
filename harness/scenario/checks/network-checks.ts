import { createServer, type AddressInfo } from 'node:net';
import { HOST_ADDRESS_IN_GUEST, hostPortProbeCommand } from '../../qemu/guest-network.js';
import type { BootContext, Check } from '../define-scenario.js';

/** Checks of what the guest can reach on the network. */

/**
 * The guest is hermetic: from inside it, a TCP port the harness did not forward is unreachable
 * even on the host's own loopback (slirp's host address 10.0.2.2 with restrict=on), while the
 * forwarded publisher answers its protocol's probe (publisher-entry.ts). The probe target is a
 * canary server the check starts on the host's 127.0.0.1: it must see no connection. No traffic
 * leaves the machine.
 *
 * A publisher with no guest probe (one the guest reaches by other means than a forwarded port,
 * such as AoE's Ethernet segment) is judged on the canary alone, and the detail says the publisher
 * was not asked: the check's claim about the forward does not apply there, and failing a scenario
 * for a probe its protocol cannot have would blame the guest for the harness's choice.
 */
export function guestIsHermetic(): Check {
  return {
    name: 'the guest reaches the forwarded publisher and nothing else',
    async run({ shell, isoUrl, publisher }) {
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
        const blocked = await sh.run(hostPortProbeCommand(port));
        const curlExit = Number(/curl-exit=(\d+)/.exec(blocked.output)?.[1] ?? '0');
        const forwarded = await probePublisher(publisher, isoUrl, (command) => sh.run(command));
        const ok = curlExit !== 0 && connections === 0 && forwarded.ok;
        return {
          ok,
          detail: `unforwarded host port ${port} via ${HOST_ADDRESS_IN_GUEST}: curl exit ${curlExit}, canary saw ${connections} connection(s); forwarded publisher: ${forwarded.detail}`,
        };
      } finally {
        await new Promise<void>((resolve) => canary.close(() => resolve()));
      }
    },
  };
}

/** The publisher asked through its own probe (which moves no ISO), or the reason it was not. */
async function probePublisher(
  publisher: BootContext['publisher'],
  isoUrl: string,
  run: (command: string) => Promise<{ output: string }>,
): Promise<{ ok: boolean; detail: string }> {
  const probe = publisher.guestProbe;
  if (!probe) return { ok: true, detail: `not asked (${publisher.protocol} has no guest probe; the canary alone is judged)` };
  const { output } = await run(probe.command(isoUrl));
  return { ok: probe.answered(output), detail: probe.describe(output) };
}
