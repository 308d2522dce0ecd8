import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { dir as tmpDir } from 'tmp-promise';
import { requireTool } from '../util/host-tools.js';

export interface AccelProbe {
  usable: boolean;
  detail: string;
}

/** Counts SeaBIOS start banners in its debug console output: more than one is a reset loop. */
export function countFirmwareStarts(debugLog: string): number {
  return debugLog.split('SeaBIOS (version').length - 1;
}

/**
 * Does KVM really run a guest here? /dev/kvm existing is not enough: on these machines it is a
 * paravirtual KVM under which iPXE in SeaBIOS triple-faults and the firmware starts over and over
 * (QEMU keeps running, even with -no-reboot). The probe boots the firmware with a PXE NIC for a
 * few seconds and counts SeaBIOS's banners on its debug console (I/O port 0x402).
 */
export async function probeKvm(settleMs = 8_000): Promise<AccelProbe> {
  const kvmOk = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  if (!kvmOk) return { usable: false, detail: '/dev/kvm is missing or not accessible' };
  const qemu = await requireTool('qemu-system-x86_64');
  const temp = await tmpDir({ prefix: 'pxe-harness-probe-', unsafeCleanup: true });
  const debugLog = join(temp.path, 'seabios.log');
  try {
    const child = execa(
      qemu,
      ['-nodefaults', '-no-user-config', '-machine', 'pc,accel=kvm', '-m', '128', '-display', 'none', '-no-reboot',
       '-netdev', 'user,id=n0,restrict=on', '-device', 'virtio-net-pci,netdev=n0', '-boot', 'n',
       '-chardev', `file,id=dbg,path=${debugLog}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dbg'],
      { reject: false, stdin: 'ignore', all: true, detached: true },
    );
    const exited = child.then((r) => r);
    const early = await Promise.race([exited.then((r) => r), sleep(settleMs).then(() => undefined)]);
    if (!early) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exited;
    }
    const starts = countFirmwareStarts(await readFile(debugLog, 'utf8').catch(() => ''));
    if (early) {
      const why = String(early.all ?? '').trim().split('\n').slice(-2).join(' | ');
      return { usable: false, detail: `QEMU with KVM ended within ${settleMs / 1000} s${why ? `: ${why}` : ''}` };
    }
    if (starts !== 1) return { usable: false, detail: `the firmware started ${starts} times in ${settleMs / 1000} s under KVM (a reset loop)` };
    return { usable: true, detail: `the firmware started once and ran ${settleMs / 1000} s under KVM` };
  } finally {
    await temp.cleanup();
  }
}
