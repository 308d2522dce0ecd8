import { access, constants, statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import { tmpdir } from 'node:os';
import { findOnPath, TOOL_PACKAGES } from '../harness/util/host-tools.js';
import { ALL_FIRMWARES } from '../harness/firmware/index.js';
import { NETBOOT_LOADERS } from '../harness/netboot/index.js';
import { probeKvm } from '../harness/qemu/accel-probe.js';
import { PUBLISHERS } from '../harness/publish/registry.js';
import { REGISTERED_ARCHITECTURES } from '../harness/arch/index.js';
import { findGrubEfiModules, grubEfiModulesFix } from '../harness/netboot/grub-efi-modules.js';

export interface DoctorFinding {
  name: string;
  ok: boolean;
  detail: string;
  /** The command that fixes it, when it is not ok. */
  fix?: string;
}

const exists = (path: string) => access(path, constants.R_OK).then(() => true, () => false);

/** What the host has and lacks for pxe-harness, each with how to fix it. */
export async function examineHost(): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  // The harness's own tools, then those each publisher runs (publisher-entry.ts hostTools).
  const publisherTools = Object.values(PUBLISHERS).flatMap((entry) => entry.hostTools);
  const qemus = REGISTERED_ARCHITECTURES.map((a) => a.qemuBinary);
  for (const tool of new Set([...qemus, 'qemu-img', 'xorriso', 'socat', 'sfdisk', 'blkid', 'curl', 'grub-mknetdir', 'xz', ...publisherTools])) {
    const path = await findOnPath(tool);
    const pkg = TOOL_PACKAGES[tool] ?? tool;
    findings.push({ name: tool, ok: Boolean(path), detail: path ?? 'not installed', ...(path ? {} : { fix: `apt-get install ${pkg}` }) });
  }
  // The files each firmware and netboot loader declares it needs (one entry per file).
  const hostFiles = new Map([...ALL_FIRMWARES, ...NETBOOT_LOADERS].flatMap((part) => part.hostFiles.map((f) => [f.path, f.pkg] as const)));
  for (const [path, pkg] of hostFiles) {
    const ok = await exists(path);
    findings.push({ name: path, ok, detail: ok ? 'present' : 'missing', ...(ok ? {} : { fix: `apt-get install ${pkg}` }) });
  }
  // GRUB's EFI modules for each architecture's platform: the host's package, or the copy fetched into the cache.
  for (const arch of REGISTERED_ARCHITECTURES) {
    const found = await findGrubEfiModules(arch.grubEfiPlatform);
    findings.push({ name: `GRUB ${arch.grubEfiPlatform} modules (${arch.id} netboot)`, ok: Boolean(found), detail: found ? `${found.dir} (${found.package.name} ${found.package.version})` : 'missing', ...(found ? {} : { fix: grubEfiModulesFix(arch.grubEfiPlatform) }) });
  }
  // A publisher this host cannot run (AoE without root) is optional: its scenarios SKIP with the reason.
  for (const entry of Object.values(PUBLISHERS)) {
    const why = entry.unavailable();
    findings.push({ name: `publish over ${entry.protocol}`, ok: true, detail: why ? `not usable here, its scenarios SKIP: ${why}` : 'usable' });
  }
  const kvm = (await findOnPath('qemu-system-x86_64')) ? await probeKvm() : { usable: false, detail: 'QEMU is missing' };
  // KVM is optional: without it boots run under TCG, slower but the same.
  findings.push({ name: 'KVM', ok: true, detail: kvm.usable ? `usable (${kvm.detail})` : `not usable, boots use TCG: ${kvm.detail}` });
  const fs = await statfs(tmpdir());
  const freeDiskGiB = (fs.bavail * fs.bsize) / 1024 ** 3;
  findings.push({
    name: `free disk in ${tmpdir()}`,
    ok: freeDiskGiB >= 8,
    detail: `${freeDiskGiB.toFixed(1)} GiB (a persistent scenario makes a sparse 3G disk; 8 GiB is comfortable)`,
    ...(freeDiskGiB >= 8 ? {} : { fix: 'free space, or point TMPDIR at a bigger folder' }),
  });
  const freeMemGiB = freemem() / 1024 ** 3;
  findings.push({
    name: 'free memory',
    ok: freeMemGiB >= 4,
    detail: `${freeMemGiB.toFixed(1)} GiB (each boot takes 3 GiB of guest memory)`,
    ...(freeMemGiB >= 4 ? {} : { fix: 'stop other work, or pass --memory-mb to shrink the guest' }),
  });
  return findings;
}

export function formatFindings(findings: DoctorFinding[]): string {
  const lines = findings.map((f) => `${f.ok ? 'ok     ' : 'MISSING'} ${f.name}: ${f.detail}${f.fix ? `\n        fix: ${f.fix}` : ''}`);
  const packages = [...new Set(findings.filter((f) => f.fix?.startsWith('apt-get install ')).map((f) => f.fix!.slice('apt-get install '.length)))];
  if (packages.length) lines.push('', `To install everything missing: apt-get install ${packages.join(' ')}`);
  return lines.join('\n');
}
