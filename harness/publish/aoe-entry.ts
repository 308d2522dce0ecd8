import { aoeUnavailable, startAoePublisher } from './aoe-publisher.js';
import type { PublisherEntry } from './publisher-entry.js';

export const AOE_PUBLISHER: PublisherEntry<'aoe'> = {
  protocol: 'aoe',
  sourceKind: 'aoe',
  start: (setup) => startAoePublisher(setup.files, setup.log, { logDir: setup.logDir }),
  // AoE serves a block device: no URL to spell otherwise, no fault to inject, nothing to compress.
  // The value quoted is the publish setup as given (defineScenario passes the whole of it).
  validate: (publish) =>
    publish.fault || publish.requestPath || publish.compressed
      ? { field: 'publish', value: publish, want: 'just { protocol: "aoe" } (vblade exports the ISO as it is)' }
      : undefined,
  unavailable: aoeUnavailable,
  // The exporter, and the network namespace of its Ethernet segment.
  hostTools: ['vblade', 'ip'],
  // The initrd's aoe driver makes /dev/etherd/e0.1 of the target; a kernel without it sees nothing.
  guestKernelModule: 'aoe',
  // No guestProbe: the guest reaches vblade by Ethernet frames on a segment of its own, not through
  // a forwarded port it could ask with a shell command.
};
