import { locateRamImage } from './image-checks.js';
import type { Check } from '../define-scenario.js';

/** Checks that ask the booted guest on its serial console: mounts, the overlay, markers across boots. */

/**
 * Where the live system runs from, asked of the guest itself: the device that holds the mounted
 * ISO 9660 file system and whether / is its overlay. 'ram': the live module's RAM disk (kiwi-live:
 * /dev/ram0); a device such as /dev/sda matches its partitions (/dev/sda1).
 */
export function liveIsoMountedFrom(where: 'ram' | string): Check {
  return {
    name: where === 'ram' ? "the live ISO is mounted from the live module's copy in RAM and / is the module's overlay" : `the live ISO is mounted from ${where} and / is the module's overlay`,
    async run({ shell, live, liveOptions, liveFacts }) {
      const sh = await shell();
      const image = where === 'ram' ? await locateRamImage(sh, live) : { device: where, where };
      const iso = (await sh.run('findmnt -rn -t iso9660 -o SOURCE,TARGET')).output.trim();
      const root = (await sh.run('findmnt -rn -o FSTYPE,SOURCE /')).output.trim();
      const [fstype = '', source = ''] = root.split(' ');
      const expected = live.rootExpectation(liveOptions, liveFacts);
      const ok = iso.split('\n').some((l) => (l.split(' ')[0] ?? '').startsWith(image.device)) && expected.matches(fstype, source);
      return { ok, detail: `iso9660 mounts: ${iso || 'none'}; root: ${root || 'unknown'} (${live.id} should give ${expected.describe}); the ISO: ${image.where}` };
    },
  };
}

/**
 * Where the overlay's writable layer lives: on the disk's cow partition with this file system
 * (persistent), or nowhere but RAM (filesystem undefined: the live module's temporary overlay).
 */
export function writableLayer(expected: { disk: string; filesystem: string } | 'ram'): Check {
  const want = expected === 'ram' ? 'in RAM (no cow partition mounted)' : `on ${expected.disk} (${expected.filesystem}, label cow)`;
  return {
    name: `the overlay's writable layer is ${want}`,
    async run({ shell, live }) {
      const mount = live.writableLayerMount;
      const cow = (await (await shell()).run(`findmnt -rn -o SOURCE,FSTYPE,LABEL ${mount}`)).output.trim();
      if (expected === 'ram') return { ok: cow === '', detail: cow ? `a file system is mounted there: ${cow}` : `nothing mounted on ${mount}` };
      const [source = '', fstype = '', label = ''] = cow.split(' ');
      const ok = source.startsWith(expected.disk) && fstype === expected.filesystem && label === live.cowLabel;
      return { ok, detail: cow ? `${mount}: ${cow}` : `nothing mounted on ${mount}` };
    },
  };
}

const markerPath = (key: string) => `/root/pxe-harness-marker-${key}`;

/** Writes a fresh random marker into the running system and syncs it: the proof of persistence starts here. */
export function writeMarker(key: string): Check {
  return {
    name: `marker "${key}" written`,
    async run({ shell, state }) {
      const token = `${key}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const sh = await shell();
      const result = await sh.run(`echo ${token} > ${markerPath(key)} && sync && cat ${markerPath(key)}`);
      const ok = result.exitCode === 0 && result.output.trim() === token;
      if (ok) state.set(`marker:${key}`, token);
      return { ok, detail: ok ? `${markerPath(key)} = ${token}` : `writing it failed (status ${result.exitCode}): ${result.output}` };
    },
  };
}

/** The marker written in an earlier boot reads back unchanged. */
export function markerPresent(key: string): Check {
  return {
    name: `marker "${key}" from an earlier boot is still there`,
    async run({ shell, state }) {
      const token = state.get(`marker:${key}`);
      if (!token) return { ok: false, detail: `no marker "${key}" was written in an earlier boot of this scenario` };
      const result = await (await shell()).run(`cat ${markerPath(key)}`);
      const ok = result.exitCode === 0 && result.output.trim() === token;
      return { ok, detail: ok ? `${markerPath(key)} = ${token}` : `expected ${token}, read (status ${result.exitCode}): ${result.output || 'nothing'}` };
    },
  };
}

/** The marker is gone: the data did not survive (a reset, or a non-persistent overlay). */
export function markerAbsent(key: string): Check {
  return {
    name: `marker "${key}" is gone`,
    async run({ shell }) {
      const result = await (await shell()).run(`cat ${markerPath(key)} 2>/dev/null`);
      return { ok: result.exitCode !== 0, detail: result.exitCode !== 0 ? `${markerPath(key)} does not exist` : `it is still there: ${result.output}` };
    },
  };
}

/**
 * The path the boot took, from the guest: its /proc/cmdline carries every option of the boot entry
 * the harness served, in order (the loader may add its own, e.g. BOOT_IMAGE= or initrd=). A boot
 * that fell back to another entry or to the disk's own loader does not (openQA saw a failed PXE
 * fall back to the disk unnoticed). Added by the harness to every network boot that logs in.
 */
export function kernelRanBootEntry(kernelArgs: readonly string[]): Check {
  return {
    name: "the path taken: the guest's /proc/cmdline carries the boot entry's options",
    async run({ shell }) {
      const cmdline = (await (await shell()).run('cat /proc/cmdline')).output.trim();
      const words = cmdline.split(/\s+/);
      let at = 0;
      const missing = kernelArgs.filter((arg) => {
        const found = words.indexOf(arg, at);
        if (found < 0) return true;
        at = found + 1;
        return false;
      });
      return missing.length
        ? { ok: false, detail: `not the served entry: ${missing.map((m) => JSON.stringify(m)).join(', ')} missing or out of order in /proc/cmdline: ${cmdline}` }
        : { ok: true, detail: cmdline };
    },
  };
}

/** The SecureBoot variable of the EFI global namespace: 4 bytes of attributes, then 1 when Secure Boot is on. */
const SECURE_BOOT_VARIABLE = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d0-aa0d-00e098032b8c';

/**
 * Secure Boot was on while this system booted, from the guest: the firmware's SecureBoot variable
 * (its last byte 1), or, where efivarfs is not mounted, the kernel's own word in its log
 * ("secureboot: Secure boot enabled"). Added by the harness to every boot that logs in under a
 * firmware that enforces Secure Boot: without it, a firmware that silently booted with Secure Boot
 * off would pass as a Secure Boot boot.
 */
export function secureBootOn(): Check {
  return {
    name: 'Secure Boot was on: the guest reads the SecureBoot variable as 1',
    async run({ shell }) {
      const sh = await shell();
      const variable = await sh.run(`od -An -tu1 ${SECURE_BOOT_VARIABLE}`);
      const bytes = variable.exitCode === 0 ? variable.output.trim().split(/\s+/) : [];
      if (bytes.length === 5) {
        return bytes[4] === '1' ? { ok: true, detail: `SecureBoot = 1 (${bytes.join(' ')})` } : { ok: false, detail: `SecureBoot = ${bytes[4]}: Secure Boot was off (${bytes.join(' ')})` };
      }
      const kernel = (await sh.run("dmesg | grep -m1 -o 'secureboot: .*'")).output.trim();
      return /Secure boot enabled/.test(kernel)
        ? { ok: true, detail: `${SECURE_BOOT_VARIABLE} unreadable; the kernel logged "${kernel}"` }
        : { ok: false, detail: `${SECURE_BOOT_VARIABLE} unreadable (${variable.output.trim() || `exit ${variable.exitCode}`}), and the kernel logged ${kernel ? `"${kernel}"` : 'nothing about Secure Boot'}` };
    },
  };
}
