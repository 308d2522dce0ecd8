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
  /** QEMU's `-cpu` for it, when QEMU's default for the machine will not do. */
  readonly qemuCpu?: string;
  /** Where a scenario's IDE disk goes (the seed's `-hda`, sda in the guest): the PC's IDE bus, or AHCI (SATA) on a machine without IDE. */
  readonly ideDisks: 'ide' | 'ahci';
  /** The screen QEMU gives its machine (firmware and loader messages go there; QMP's screendump takes it). */
  readonly qemuDisplay: readonly string[];
  /** The kernel's name of the first serial port, where the boot entry puts the console (`console=NAME`). */
  readonly serialConsole: string;
  /** The firmware a run boots under when it names none (a firmware id this architecture has). */
  readonly defaultFirmware: string;
  /** The host CPU (as Node names it, `process.arch`) on which KVM can run it; elsewhere it boots under TCG. */
  readonly kvmHost: string;
  /** GRUB's platform for its EFI netboot image (`grub-mknetdir`'s module folder /usr/lib/grub/PLATFORM). */
  readonly grubEfiPlatform: string;
  /**
   * How many times longer a boot takes under TCG than on x86_64 (measured): the boot timeouts are
   * stretched by it, so that a slower guest is not judged by a faster one's clock.
   */
  readonly tcgSlowdown: number;
}

/** What a kernel image built for an architecture carries in its first bytes. */
export interface KernelImageSignature {
  /** The PE/COFF machine type of its EFI stub (IMAGE_FILE_MACHINE_*), when the image has one. */
  peMachine: number;
  /** A magic of the architecture's own boot protocol, at a byte offset: for an image without an EFI stub. */
  magic: { offset: number; text: string };
}
