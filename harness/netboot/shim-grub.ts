import { access, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NO_SIGNED_CHAIN, type IsoBootFacts, type SignedChain } from '../iso/boot-facts.js';
import { commonAuthority, readSbat, readSigners, sbatVersion } from '../iso/efi-binary.js';
import { extractIsoFiles } from '../iso/loader-files.js';
import { GRUB_FAIL_SIGNATURES, GRUB_PHASES } from './grub-config.js';
import { prepareGrubRoot } from './grub-root.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';

/*
 * Secure Boot netboot with the ISO's own chain: OVMF loads the ISO's shim (Microsoft-signed) as the
 * PXE boot file, shim fetches its second stage from the same TFTP folder under the name its vendor
 * built in (the name it has beside shim in the ISO: grubx64.efi, SUSE's grub.efi) and verifies it
 * against its vendor's key, and GRUB has shim verify the kernel.
 *
 * Which GRUB: measured on the Debian-built fixture, the ISO's own grubx64.efi (the monolithic image
 * made for the medium) stops with "error: unable to find boot device." when started over PXE. A
 * vendor ships a GRUB for netboot beside it (Debian: grubnetx64.efi.signed in grub-efi-amd64-signed,
 * whose prefix is (tftp,SERVER)/grub). It is used when it is signed under the same certificate
 * authority as the ISO's own GRUB: the ISO's shim accepts exactly what its vendor signed, so the
 * chain verified is still the ISO's vendor's. Otherwise the ISO's own second stage is served (SUSE
 * documents its grub.efi for PXE). The report names which one booted, with its SBAT version.
 */

/** Debian's signed netboot GRUB (package grub-efi-amd64-signed). */
export const SIGNED_NETBOOT_GRUB = { path: '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed', pkg: 'grub-efi-amd64-signed' };

/** Where the GRUBs this loader serves read their config: Debian's netboot prefix, and the TFTP root. */
const CONFIG_PATHS = ['grub/grub.cfg', 'grub.cfg'];

interface SecondStage {
  path: string;
  /** What it is, for the report: the ISO's own, or the vendor's netboot build and why. */
  name: string;
}

/** The GRUB shim starts: the vendor's netboot build when it shares the ISO GRUB's signing authority, else the ISO's own. */
async function chooseSecondStage(isoLoader: string, chain: SignedChain): Promise<SecondStage> {
  const own = { path: isoLoader, name: `the ISO's ${chain.loader}` };
  if (!(await access(SIGNED_NETBOOT_GRUB.path).then(() => true, () => false))) return own;
  const [isoSigners, hostSigners] = await Promise.all([readSigners(isoLoader), readSigners(SIGNED_NETBOOT_GRUB.path)]);
  const authority = commonAuthority(isoSigners, hostSigners);
  if (!authority) return own;
  return { path: SIGNED_NETBOOT_GRUB.path, name: `${basename(SIGNED_NETBOOT_GRUB.path)} (${SIGNED_NETBOOT_GRUB.pkg}), signed under "${authority}" as the ISO's ${chain.loader} is, served as ${basename(chain.loader)}` };
}

async function versionOf(path: string): Promise<string> {
  return sbatVersion(await readSbat(path)) ?? 'no SBAT';
}

async function prepareShimGrub(context: NetbootContext): Promise<PreparedNetboot> {
  const chain = context.iso.boot.signedChain;
  if (!chain) throw new RangeError(`the ISO ${context.iso.path} carries no signed chain: the scenario should have been SKIPPED (isoUnsupported)`);
  const dir = join(context.runtimeDir, 'tftp');
  const fromIso = join(context.runtimeDir, 'iso-efi');
  await mkdir(fromIso, { recursive: true });
  const bootfile = basename(chain.shim);
  const isoLoader = join(fromIso, basename(chain.loader));
  await extractIsoFiles(context.iso.path, [{ inIso: chain.shim, dest: join(fromIso, bootfile) }, { inIso: chain.loader, dest: isoLoader }]);
  const grub = await chooseSecondStage(isoLoader, chain);
  await mkdir(dir, { recursive: true });
  await Promise.all([place(join(fromIso, bootfile), join(dir, bootfile)), place(grub.path, join(dir, basename(chain.loader)))]);
  const prepared = await prepareGrubRoot(context, { dir, bootfile, configPaths: CONFIG_PATHS, programs: { 'boot-program': bootfile } }, false);
  const usedFiles = [
    { name: `shim: the ISO's ${chain.shim}`, version: await versionOf(join(fromIso, bootfile)) },
    { name: `GRUB: ${grub.name}`, version: await versionOf(grub.path) },
  ];
  // OVMF's own PXE client, not the NIC's iPXE ROM: shim fetches its second stage through the PXE
  // Base Code protocol of the device it came from, which this iPXE (ipxe-qemu 2019) does not offer
  // (measured: after iPXE loaded shim, the console stayed silent).
  return { ...prepared, usedFiles, machine: { nicOptionRom: false } };
}

/** Why the ISO cannot boot over this loader: it carries no shim chain. */
function isoUnsupported(iso: IsoBootFacts): string | undefined {
  return iso.signedChain ? undefined : `its network boots run with Secure Boot on, and ${NO_SIGNED_CHAIN}`;
}

const shimBase = {
  family: 'pxe',
  firmware: 'uefi-secure',
  architectures: ['x86_64'],
  hostFiles: [SIGNED_NETBOOT_GRUB],
  phases: GRUB_PHASES,
  failSignatures: GRUB_FAIL_SIGNATURES,
  isoUnsupported,
} as const;

/**
 * The ISO's shim and a GRUB it verifies, over slirp's TFTP: kernel and initrd from the TFTP root.
 * TFTP only: a signed GRUB loads no module under Secure Boot, and Debian's signed netboot GRUB has
 * none for HTTP built in (measured: `error: disk `http,10.0.2.100:8080' not found.`).
 */
export const shimGrubTftp: NetbootLoader = {
  ...shimBase,
  limits: "kernel and initrd over TFTP only: a signed GRUB loads no module under Secure Boot, and Debian's signed netboot GRUB has no HTTP built in",
  id: 'shim-grub',
  description: "the ISO's shim, then a signed GRUB it verifies; kernel and initrd over TFTP (Secure Boot)",
  transport: 'tftp',
  prepare: prepareShimGrub,
};

