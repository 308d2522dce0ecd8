import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: the http publisher sends the whole ISO, full length, with 8 bytes inverted
 * just before the ISO 9660 volume descriptors (the end of the system area, which a network boot
 * never reads), so the boot itself succeeds and the transfer log shows a complete transfer. Only
 * the guest's byte-for-byte comparison can tell: the boot must FAIL on it.
 */
export default defineScenario({
  name: 'corrupted-iso',
  summary: 'the publisher flips 8 bytes of the ISO but sends its full length: must FAIL on the guest\'s byte-for-byte check (PASS when it does)',
  publish: { protocol: 'http', fault: { kind: 'corrupt', atByte: 32_760, count: 8 } },
  boots: [
    {
      name: 'network boot into RAM with a corrupted copy',
      from: 'network',
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
      expectFailure: {
        reason: /holds the published ISO byte for byte: NO \(NOT delivered as published: .*4 MiB chunks that differ: bytes 0-4194303\)/,
        why: 'a corrupted copy must not pass, even when every byte count is right',
        phase: 'login',
      },
    },
  ],
});
