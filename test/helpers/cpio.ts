import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** A newc cpio archive of regular files, as dracut writes an initrd (uncompressed). */
export function cpio(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const entry = (name: string, body: Buffer) => {
    const fields = [1, 0o100644, 0, 0, 1, 0, body.length, 0, 0, 0, 0, name.length + 1, 0].map((v) => v.toString(16).padStart(8, '0')).join('');
    const head = Buffer.from(`070701${fields}${name}\0`, 'latin1');
    parts.push(head, pad(head.length), body, pad(body.length));
  };
  for (const [name, body] of Object.entries(files)) entry(name, Buffer.from(body));
  entry('TRAILER!!!', Buffer.alloc(0));
  return Buffer.concat(parts);
}

/** The initrd files by which the harness recognises kiwi-live with its network boot. */
export const KIWI_LIVE_INITRD = { 'usr/sbin/kiwi-live-root': '#!/bin/bash', 'var/lib/dracut/hooks/pre-udev/60-kiwi-live-net-genrules.sh': '#' };

/**
 * A tiny ISO with KIWI's loader layout (boot/x86_64/loader/linux and initrd, the initrd a cpio of
 * `initrd`), made by xorriso in `dir` as NAME.iso: what the harness reads before anything boots.
 */
export async function tinyLiveIso(
  dir: string,
  name: string,
  options: { volumeId?: string; initrd?: Record<string, string>; efiBoot?: Record<string, string>; kernel?: Buffer; loaderFolders?: string[] } = {},
): Promise<string> {
  const tree = join(dir, `${name}-tree`);
  // One loader folder per architecture the ISO carries (/boot/<arch>/loader), x86_64 unless told.
  const [first, ...more] = options.loaderFolders ?? ['x86_64'];
  for (const folder of more) {
    await mkdir(join(tree, 'boot', folder, 'loader'), { recursive: true });
    await writeFile(join(tree, 'boot', folder, 'loader', 'linux'), 'KERNEL');
  }
  const loader = join(tree, 'boot', first!, 'loader');
  await mkdir(loader, { recursive: true });
  await writeFile(join(loader, 'linux'), options.kernel ?? 'KERNEL');
  await writeFile(join(loader, 'initrd'), cpio(options.initrd ?? KIWI_LIVE_INITRD));
  // /EFI/BOOT of an EFI build (e.g. a shim chain: bootx64.efi and grubx64.efi), by name and content.
  if (options.efiBoot) {
    await mkdir(join(tree, 'EFI', 'BOOT'), { recursive: true });
    for (const [name, content] of Object.entries(options.efiBoot)) await writeFile(join(tree, 'EFI', 'BOOT', name), content);
  }
  const iso = join(dir, `${name}.iso`);
  await execa('xorriso', ['-as', 'mkisofs', '-V', options.volumeId ?? 'CDROM', '-o', iso, tree]);
  return iso;
}
