import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { requireHostFile } from '../util/host-tools.js';

/**
 * The two flash chips of EDK II's virtual-machine builds (OVMF, AAVMF): the code read-only and shared, the variables store a fresh copy per boot
 * (OVMF writes boot options into it, which must not leak from one boot into the next; a Secure
 * Boot store also holds the enrolled keys, which a boot must not be able to change for the next).
 */
export async function ovmfPflashArgs(files: { code: string; vars: string; pkg?: string }, runtimeDir: string): Promise<string[]> {
  const pkg = files.pkg ?? 'ovmf';
  const [code, vars] = await Promise.all([requireHostFile(files.code, pkg), requireHostFile(files.vars, pkg)]);
  // Named after its source (OVMF_VARS_4M.fd, OVMF_VARS_4M.ms.fd, AAVMF_VARS.fd): a kept boot folder says which store it booted.
  const varsCopy = join(runtimeDir, basename(vars));
  await copyFile(vars, varsCopy);
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code.replaceAll(',', ',,')}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${varsCopy.replaceAll(',', ',,')}`,
    // The harness's network has no IPv6 service: after a failed IPv4 PXE, IPv6 only adds minutes of timeouts.
    '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=no',
  ];
}
