import { assertKernelArgs } from './boot-entry.js';

/** The seed's boot entry: `kernel boot/linux` + `append initrd=boot/initrd ip=dhcp root=live:...`. */
export interface PxeBootEntry {
  label: string;
  kernel: string;
  initrd: string;
  /** Everything after initrd= on the append line, in order. */
  kernelArgs: string[];
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
