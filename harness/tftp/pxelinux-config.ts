/** The seed's boot entry: `kernel boot/linux` + `append initrd=boot/initrd ip=dhcp root=live:...`. */
export interface PxeBootEntry {
  label: string;
  kernel: string;
  initrd: string;
  /** Everything after initrd= on the append line, in order. */
  kernelArgs: string[];
}

/** The kernel options of a network live boot of the seed's form, plus the scenario's own. */
export function liveBootArgs(isoUrl: string, extra: readonly string[] = []): string[] {
  return ['ip=dhcp', `root=live:${isoUrl}`, 'console=ttyS0', ...extra];
}

export function renderPxelinuxConfig(entry: PxeBootEntry): string {
  for (const arg of entry.kernelArgs) {
    if (/\s/.test(arg) || arg === '') throw new RangeError(`kernel argument must be one word without spaces, got ${JSON.stringify(arg)}`);
  }
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
