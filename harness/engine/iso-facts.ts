import type { SignedChain } from '../iso/boot-facts.js';

/** The facts of an ISO (inspect, and the top of every run's reports). */
export interface IsoFacts {
  iso: { path: string; sizeBytes: number; volumeId: string; preparer: string; publisher: string };
  liveModule: { id: string; evidence: string };
  /** The guest's architecture: the ISO's loader folder names it, its kernel's header agrees. */
  architecture: { id: string; loaderFolder: string };
  /** dracut's version, from the initrd's usr/lib/dracut/dracut-VERSION file; null when it has none. */
  dracut: string | null;
  boot: { partitionTable: string; efiSystemPartition: boolean; signedChain: SignedChain | null };
  /** The subjects of the certificates in the kernel's signature; [] unsigned, null when they could not be read. */
  kernel: { signedBy: string[] | null };
  /** Each tool: its path in the initrd, or null when the initrd lacks it, with the option that needs it. */
  initrdTools: { tool: string; path: string | null; neededFor: string }[];
  caBundle: string | null;
  mediaCheckTag: boolean;
  squashfs: { sizeBytes: number; holdsRootfsImage: boolean } | null;
  /** The ISO against the guest memory a run gives by default: a RAM deploy holds all of it in RAM, beside the running system. */
  memory: { defaultMemoryMb: number; isoMiB: number; percentOfMemory: number };
}
