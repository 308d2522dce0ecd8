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
  /** How its kernel image says what it is for: the PE/COFF machine of an EFI-stub kernel, else a magic in its header. */
  readonly kernelImage: KernelImageSignature;
}

/** What a kernel image built for an architecture carries in its first bytes. */
export interface KernelImageSignature {
  /** The PE/COFF machine type of its EFI stub (IMAGE_FILE_MACHINE_*), when the image has one. */
  peMachine: number;
  /** A magic of the architecture's own boot protocol, at a byte offset: for an image without an EFI stub. */
  magic: { offset: number; text: string };
}
