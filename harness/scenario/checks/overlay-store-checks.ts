import type { CommandResult } from '../../console/serial-shell.js';
import type { OverlayStoreOptions } from '../../live/live-module.js';
import type { Check } from '../define-scenario.js';

type Shell = { run(command: string, options?: { timeoutMs?: number }): Promise<CommandResult> };

/** Where the writable layer of `/` is kept: the block device (major:minor) under it, and how that was found. */
interface WritableLayer {
  /** major:minor of the device holding the layer's bytes; 0:N for a file system in RAM (tmpfs, the initramfs). */
  backingDevice: string;
  /** The file or folder the layer lives in, as the guest names it. */
  where: string;
  how: string;
  /** Its room in bytes: the exception store's device size, or the size of the file system holding the upper folder. */
  sizeBytes: number;
  /** The device-mapper snapshot device of `/`, when the layer is a snapshot's exception store. */
  snapshot?: string;
}

/**
 * The writable layer of `/`, found from the root mount itself: a device-mapper snapshot's
 * exception store (its table's cow device, a loop device over a file), or overlayfs's upperdir.
 */
async function writableLayerOfRoot(sh: Shell): Promise<WritableLayer | string> {
  const root = (await sh.run('findmnt -rn -o FSTYPE,SOURCE,OPTIONS /')).output.trim().split('\n')[0] ?? '';
  const [fstype = '', source = '', options = ''] = root.split(' ');
  if (fstype === 'overlay') {
    const upper = /(?:^|,)upperdir=([^,]+)/.exec(options)?.[1];
    if (!upper) return `/ is overlayfs without an upperdir: ${root}`;
    const found = (await sh.run(`t=$(readlink -f ${upper}); echo "$t"; findmnt -n -o MAJ:MIN -T "$t"; df -B1 --output=size "$t" | tail -n 1`)).output.trim().split('\n');
    return { backingDevice: found[1]?.trim() ?? '', where: found[0] ?? upper, how: `/ is overlayfs, upperdir ${upper} -> ${found[0]}`, sizeBytes: Number(found[2]?.trim()) };
  }
  // dmsetup takes the device's path and answers only for a device-mapper device.
  const table = (await sh.run(`dmsetup table ${source} 2>&1`)).output.trim();
  const cow = /\bsnapshot \S+ (\d+:\d+)/.exec(table)?.[1];
  if (!cow) return `/ is neither overlayfs nor a device-mapper snapshot: ${root || 'nothing'} (${table})`;
  const loops = (await sh.run('losetup -l -n -O MAJ:MIN,BACK-MAJ:MIN,BACK-FILE,NAME')).output.split('\n').map((l) => l.trim().split(/\s+/));
  const loop = loops.find(([majMin]) => majMin === cow);
  if (!loop) return `the snapshot's exception store ${cow} is no loop device (${table})`;
  const sizeBytes = Number((await sh.run(`blockdev --getsize64 ${loop[3]}`)).output.trim());
  return { backingDevice: loop[1] ?? '', where: loop[2] ?? '', how: `/ is the snapshot ${source} (${table}), its exception store loop ${cow} over ${loop[2]}`, sizeBytes, snapshot: source };
}

/**
 * The overlay's writable layer is in the boot's overlay store (live.overlayStore, or the one given): the file or
 * folder at its path, on the file system its device spec names. Read from `/` down, never from
 * the module's own messages: the snapshot's exception store or overlayfs's upper directory, and
 * the block device that holds it.
 */
export function writableLayerInStore(given?: Pick<OverlayStoreOptions, 'device' | 'path'>): Check {
  return {
    name: "the overlay's writable layer is the overlay store on the attached disk",
    async run({ shell, liveOptions }) {
      // The store the boot asks for, or the one a scenario spells itself in kernelArgs.
      const store = given ?? liveOptions.overlayStore;
      if (!store) return { ok: false, detail: 'the boot asks for no overlay store (live.overlayStore)' };
      const sh = await shell();
      const device = (await sh.run(`d=$(findfs ${store.device} 2>/dev/null || echo ${store.device}); echo "$d $(lsblk -dn -o MAJ:MIN "$d" | tr -d ' ')"`)).output.trim();
      const [deviceName = '', deviceMajMin = ''] = device.split(' ');
      const layer = await writableLayerOfRoot(sh);
      if (typeof layer === 'string') return { ok: false, detail: layer };
      const ok = deviceMajMin !== '' && layer.backingDevice === deviceMajMin && layer.where.endsWith(store.path);
      return { ok, detail: `${layer.how}, on device ${layer.backingDevice}; the store ${store.device}:${store.path} is ${deviceName} (${deviceMajMin || 'not found'})` };
    },
  };
}

/** The overlay's writable layer is in RAM (a file system of no block device: tmpfs or the initramfs), not on any disk. */
export function writableLayerInRam(): Check {
  return {
    name: "the overlay's writable layer is in RAM (a temporary overlay)",
    async run({ shell }) {
      const layer = await writableLayerOfRoot(await shell());
      if (typeof layer === 'string') return { ok: false, detail: layer };
      return { ok: /^0:\d+$/.test(layer.backingDevice), detail: `${layer.how}, on device ${layer.backingDevice} (major 0: no block device)` };
    },
  };
}

const MIB = 1024 ** 2;

/**
 * The room of the overlay's writable layer, as the guest has it: live.overlaySizeMiB when the
 * boot asks for a size, else only reported. Read from `/` down, like writableLayerInStore.
 */
export function writableLayerSize(given: { bareNumber?: number } = {}): Check {
  return {
    name: given.bareNumber === undefined ? "the size of the overlay's writable layer" : `the room the live module makes of a bare ${given.bareNumber} as the overlay's size`,
    async run({ shell, liveOptions, live }) {
      const layer = await writableLayerOfRoot(await shell());
      if (typeof layer === 'string') return { ok: false, detail: layer };
      const want = expectedRoom(liveOptions.overlaySizeMiB, given.bareNumber, live.overlaySizeUnit);
      const ok = Number.isFinite(layer.sizeBytes) && (want === undefined || layer.sizeBytes === want.bytes);
      return { ok, detail: `${layer.sizeBytes} bytes = ${(layer.sizeBytes / MIB).toFixed(2)} MiB (${layer.how})${want ? `; expected ${want.bytes} bytes: ${want.why}` : ''}` };
    },
  };
}

/** The room a boot asks for: overlaySizeMiB, or a bare number as the module's code reads it (a page at least: tmpfs rounds up). */
function expectedRoom(mib: number | undefined, bareNumber: number | undefined, unit: { bytes: number; readIn: string }): { bytes: number; why: string } | undefined {
  if (mib !== undefined) return { bytes: mib * MIB, why: `asked for ${mib} MiB` };
  if (bareNumber === undefined) return undefined;
  const PAGE = 4096;
  return { bytes: Math.ceil((bareNumber * unit.bytes) / PAGE) * PAGE, why: `${bareNumber} x ${unit.bytes} bytes (${unit.readIn})` };
}

/**
 * A write larger than the overlay's writable layer fails, as documented for its kind: on a file
 * system (overlayfs's upper on tmpfs or a disk) with ENOSPC, the system writable again once the
 * file is removed; a temporary device-mapper snapshot is marked Overflow and / takes no more
 * writes (dracut.cmdline(7): "the whole root filesystem becomes read-only"). Run it last.
 */
export function writeFailsPastLayer(): Check {
  return {
    name: "a write past the overlay's writable layer fails as documented for its kind",
    async run({ shell }) {
      const sh = await shell();
      const layer = await writableLayerOfRoot(sh);
      if (typeof layer === 'string') return { ok: false, detail: layer };
      const mib = Math.ceil(layer.sizeBytes / MIB) + 16;
      // Through / a snapshot fills only while its file system has room (dracut.cmdline(7): the base root file system limits it).
      const free = Number((await sh.run('df -B1 --output=avail / | tail -n 1')).output.trim());
      if (layer.snapshot && free < mib * MIB) return { ok: false, detail: `/ has ${(free / MIB).toFixed(0)} MiB free, less than the ${mib} MiB that would overflow the snapshot's ${(layer.sizeBytes / MIB).toFixed(0)} MiB: ask for a smaller size` };
      // fsync: the error must come back to dd, not to a later write-back. A full snapshot makes the
      // kernel report I/O errors of / for a while: kept off the serial console the harness reads.
      const quiet = layer.snapshot ? 'dmesg -n 1; ' : '';
      const dd = `${quiet}out=$(yes pxe-harness | head -c $((${mib} * 1048576)) | dd of=/root/pxe-harness-fill bs=1M iflag=fullblock conv=fsync 2>&1); st=$?; echo "$out" | grep -m 1 -i error; echo "dd status $st"`;
      const after = layer.snapshot
        ? `dmsetup status ${layer.snapshot}`
        : 'rm -f /root/pxe-harness-fill; echo after > /root/pxe-harness-after && cat /root/pxe-harness-after';
      const fill = await sh.run(`${dd}; ${after}`, { timeoutMs: 300_000 });
      const failed = !/^dd status 0$/m.test(fill.output);
      const documented = layer.snapshot ? /\bOverflow\b/.test(fill.output) : /No space left on device/.test(fill.output) && /^after$/m.test(fill.output);
      return { ok: failed && documented, detail: `${mib} MiB into a layer of ${(layer.sizeBytes / MIB).toFixed(2)} MiB (${layer.how}): ${fill.output.trim().replace(/\n/g, ' | ')}` };
    },
  };
}
