/** The seed's boot entry: `kernel boot/linux` + `append initrd=boot/initrd ip=dhcp root=live:...`. */
export interface PxeBootEntry {
  label: string;
  kernel: string;
  initrd: string;
  /** Everything after initrd= on the append line, in order. */
  kernelArgs: string[];
}

/** Kernel options go into a boot entry word by word: a space would split one into two. */
export function assertKernelArgs(args: readonly string[]): void {
  for (const arg of args) {
    if (/\s/.test(arg) || arg === '') throw new RangeError(`kernel argument must be one word without spaces, got ${JSON.stringify(arg)}`);
  }
}

export function renderPxelinuxConfig(entry: PxeBootEntry): string {
  assertKernelArgs(entry.kernelArgs);
  // SERIAL mirrors pxelinux's own messages (load errors) onto the serial console the harness reads.
  return [
    'SERIAL 0 115200',
    `DEFAULT ${entry.label}`,
    'PROMPT 0',
    '',
    `LABEL ${entry.label}`,
    `    kernel ${entry.kernel}`,
    `    append ${[`initrd=${entry.initrd}`, ...entry.kernelArgs].join(' ')}`,
    '',
  ].join('\n');
}
