import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARES, firmwaresOf, probeMachine } from '../../harness/firmware/index.js';
import { aavmf, AAVMF_CODE_PATH } from '../../harness/firmware/aavmf.js';
import { ARCHITECTURES } from '../../harness/arch/index.js';
import { DEFAULT_SETTLE_MS, probeArgs, QEMU_DEFAULT_MACHINE } from '../../harness/qemu/accel-probe.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-firmware-axis-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const paths = { qmpPath: '/run/q.sock', framesPath: '/run/f.pcap' };

describe('the firmware axis', () => {
  it("has each architecture's default firmware among that architecture's choices", () => {
    for (const arch of Object.values(ARCHITECTURES)) expect(firmwaresOf(arch.id).map((f) => f.id)).toContain(arch.defaultFirmware);
  });

  it('says, per firmware, whether a disk written from the ISO boots: OVMF needs an EFI system partition', () => {
    const mbr = { partitionTable: 'dos', efiSystemPartition: false } as const;
    const efi = { partitionTable: 'gpt', efiSystemPartition: true } as const;
    expect(FIRMWARES.bios.diskBootUnsupported(mbr)).toBeUndefined();
    expect(FIRMWARES.bios.diskBootUnsupported(efi)).toBeUndefined();
    expect(FIRMWARES.uefi.diskBootUnsupported(efi)).toBeUndefined();
    expect(FIRMWARES.uefi.diskBootUnsupported(mbr)).toBe(
      "it boots a deployed disk under UEFI, and the ISO's partition table (dos) has no EFI system partition (a BIOS-only build)",
    );
  });
});

describe('the KVM probe boots the firmware of the run', () => {
  it('builds its QEMU command line from the machine it is given', () => {
    const args = probeArgs({ machineType: 'q35', args: ['-drive', 'if=pflash,file=x'] }, paths);
    expect(args.slice(args.indexOf('-machine'), args.indexOf('-machine') + 2)).toEqual(['-machine', 'q35']);
    expect(args.slice(-2)).toEqual(['-drive', 'if=pflash,file=x']);
    expect(args).toContain('unix:/run/q.sock,server=on,wait=off');
    expect(args).toContain('filter-dump,id=f0,netdev=n0,file=/run/f.pcap');
  });

  it("carries OVMF's machine type, its pflash drives (a VARS copy in the probe's folder) and its longer settle time", async () => {
    const machine = probeMachine(FIRMWARES.uefi);
    expect(machine).toMatchObject({ id: 'uefi', machineType: 'q35', settleMs: FIRMWARES.uefi.probeSettleMs });
    expect(machine.settleMs).toBeGreaterThan(DEFAULT_SETTLE_MS);
    const args = probeArgs({ machineType: machine.machineType, args: await machine.args(dir) }, paths);
    expect(args.join(' ')).toContain('-machine q35 ');
    const pflash = args.filter((a) => a.startsWith('if=pflash'));
    expect(pflash).toHaveLength(2);
    expect(pflash[1]).toContain(`file=${join(dir, 'OVMF_VARS_4M.fd')}`);
  });

  it("AAVMF's VARS copy is named after AAVMF's store, not OVMF's", async () => {
    const pflash = (await aavmf.machineArgs(dir)).filter((a) => a.startsWith('if=pflash'));
    expect(pflash[0]).toContain(`file=${AAVMF_CODE_PATH}`);
    expect(pflash[1]).toContain(`file=${join(dir, 'AAVMF_VARS.fd')}`);
  });

  it('boots SeaBIOS as QEMU does by default: machine pc, no firmware arguments', async () => {
    const machine = probeMachine(FIRMWARES.bios);
    expect(machine).toMatchObject({ id: 'bios', machineType: QEMU_DEFAULT_MACHINE.machineType, settleMs: DEFAULT_SETTLE_MS });
    expect(await machine.args(dir)).toEqual([]);
  });
});
