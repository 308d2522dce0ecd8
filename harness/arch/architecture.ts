/** Where KIWI puts kernel and initrd inside the live ISO of one architecture. */
export interface LoaderLocations {
  kernel: string;
  initrd: string;
}

/**
 * The guest's CPU architecture: which QEMU emulates it and where the ISO built for it keeps its
 * kernel and initrd. Add one: a file next to x86_64.ts, registered in index.ts.
 */
export interface Architecture<Id extends string = string> {
  readonly id: Id;
  readonly description: string;
  /** The QEMU system emulator for this architecture (a name looked up on PATH). */
  readonly qemuBinary: string;
  /** Where kernel and initrd are in the ISO (both live modules of KIWI keep them in the same place). */
  readonly loaderLocations: LoaderLocations;
}
