import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario of Secure Boot: the netboot setup serves the ISO's kernel with one byte
 * flipped, so its signature no longer verifies. The chain must refuse it in the loader's phase,
 * seconds after the refusal (GRUB through shim: "error: bad shim signature."), not at the deadline:
 * GRUB then waits at "Press any key to continue..." and nothing powers the guest off (measured).
 */
export default defineScenario({
  name: 'secure-boot-kernel-altered',
  summary: 'with Secure Boot on, a kernel altered on its way (one byte) must be refused by the signed chain: FAIL at the verification (PASS when it does)',
  publish: { protocol: 'http' },
  appliesTo: ({ firmware, secureBoot, arch, secureBootFirmwares }) => {
    if (secureBoot) return undefined;
    const how = secureBootFirmwares.length ? `run it with a Secure Boot firmware: --firmware ${secureBootFirmwares.join(' or ')}` : `the harness has no Secure Boot firmware for ${arch}`;
    return `it proves that Secure Boot refuses an altered kernel, and the ${firmware} firmware does not enforce Secure Boot (${how})`;
  },
  boots: [
    {
      name: 'network boot of a kernel with one byte flipped',
      from: 'network',
      netbootFault: { altered: 'kernel' },
      checks: [],
      expectFailure: {
        reason: /Secure Boot refused a program of the boot chain \(its signature did not verify\): "(?:error: bad shim signature|Verification failed: \(0x1A\) Security Violation|error: prohibited by secure boot policy)/,
        why: 'a kernel whose signature does not verify must never run under Secure Boot, and the refusal must be named at once',
        phase: ['firmware', 'grub'],
      },
    },
  ],
});
