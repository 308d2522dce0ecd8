import { describe, expect, it } from 'vitest';
import { buildQemuArgs, shellQuote, type MachineConfig } from '../../harness/qemu/qemu-args.js';
import { ARCHITECTURES } from '../../harness/arch/index.js';
import { aavmf } from '../../harness/firmware/aavmf.js';

const base: MachineConfig = {
  name: 'test',
  memoryMb: 3072,
  cpus: 2,
  accel: 'tcg',
  tcgThread: 'multi',
  machineType: 'pc',
  display: ['-vga', 'std'],
  firmwareArgs: [],
  bootSelection: 'boot-order',
  bootFrom: 'network',
  network: {
    tftpRoot: '/tmp/t,ftp',
    bootfile: 'pxelinux.0',
    forwards: [
      { guestAddress: '10.0.2.100', guestPort: 21, hostSocket: '/tmp/pxe-harness-sock-Ab12/ftp.sock' },
      { guestAddress: '10.0.2.100', guestPort: 30000, hostSocket: '/tmp/pxe-harness-sock-Ab12/pasv-30000.sock' },
    ],
  },
  disks: [],
  noReboot: true,
  serialSocket: '/tmp/s/serial.sock',
  qmpSocket: '/tmp/s/qmp.sock',
};

const optionAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('buildQemuArgs', () => {
  it("takes the machine, CPU and screen of the architecture and firmware: aarch64's virt under AAVMF, no VGA", async () => {
    const arm = ARCHITECTURES.aarch64;
    const args = buildQemuArgs({ ...base, machineType: aavmf.machineType, cpu: arm.qemuCpu, display: arm.qemuDisplay, bootSelection: 'bootindex' });
    expect([optionAfter(args, '-machine'), optionAfter(args, '-cpu')]).toEqual(['virt,gic-version=max', 'max,pauth-impdef=on']);
    expect(args).not.toContain('-vga');
    expect(args.filter((_, i) => args[i - 1] === '-device')[0]).toBe('virtio-gpu-pci');
    // virt has no IDE: the seed's -hda goes on an AHCI (SATA) controller (the guest still says sda).
    const disk = { path: '/tmp/d.qcow2', format: 'qcow2' as const, interface: 'ide' as const };
    const withDisk = buildQemuArgs({ ...base, machineType: aavmf.machineType, display: arm.qemuDisplay, ideDisks: arm.ideDisks, bootSelection: 'bootindex', disks: [disk] });
    expect(withDisk.filter((_, i) => withDisk[i - 1] === '-device').filter((d) => /ahci/.test(d))).toEqual(['ich9-ahci,id=ahci0', 'ide-hd,bus=ahci0.0,drive=disk0']);
    // x86_64 names no CPU (QEMU's default for pc and q35) and keeps its VGA card.
    const pc = buildQemuArgs(base);
    expect([pc.includes('-cpu'), optionAfter(pc, '-vga')]).toEqual([false, 'std']);
  });

  it('a layer-2 segment (AoE) adds a second NIC on the tap, with no option ROM and no boot index', () => {
    const args = buildQemuArgs({ ...base, network: { ...base.network!, tap: 'pxa123-1' } });
    const netdevs = args.filter((_, i) => args[i - 1] === '-netdev');
    const devices = args.filter((_, i) => args[i - 1] === '-device');
    expect(netdevs[1]).toBe('tap,id=net1,ifname=pxa123-1,script=no,downscript=no');
    expect(devices).toEqual(['virtio-net-pci,netdev=net0', 'virtio-net-pci,netdev=net1,romfile=']);
  });

  it('runs every vCPU on one host thread only when asked, and only under TCG', () => {
    expect(optionAfter(buildQemuArgs(base), '-accel')).toBe('tcg');
    expect(optionAfter(buildQemuArgs({ ...base, tcgThread: 'single' }), '-accel')).toBe('tcg,thread=single');
    expect(optionAfter(buildQemuArgs({ ...base, accel: 'kvm', tcgThread: 'single' }), '-accel')).toBe('kvm');
  });
  it('makes a hermetic network boot: restrict=on, TFTP root, one socat relay per forward to its UNIX socket, -boot n', () => {
    const args = buildQemuArgs(base);
    const netdev = optionAfter(args, '-netdev')!;
    expect(netdev.split(',')).toContain('restrict=on');
    expect(netdev).toContain('tftp=/tmp/t,,ftp,');
    expect(netdev).toContain('bootfile=pxelinux.0');
    expect(netdev).toContain('guestfwd=tcp:10.0.2.100:21-cmd:socat STDIO UNIX-CONNECT:/tmp/pxe-harness-sock-Ab12/ftp.sock');
    expect(netdev).toContain('guestfwd=tcp:10.0.2.100:30000-cmd:socat STDIO UNIX-CONNECT:/tmp/pxe-harness-sock-Ab12/pasv-30000.sock');
    expect(netdev).not.toMatch(/TCP:|127\.0\.0\.1/);
    expect(optionAfter(args, '-device')).toBe('virtio-net-pci,netdev=net0');
    expect(optionAfter(args, '-boot')).toBe('order=n');
    expect(args).toContain('-no-reboot');
    expect(optionAfter(args, '-machine')).toBe('pc');
    expect(optionAfter(args, '-accel')).toBe('tcg');
  });

  it('with a relay folder, each relay runs under sh, which keeps its pid there while it runs (the machine stops them)', () => {
    const netdev = optionAfter(buildQemuArgs({ ...base, relayPidDir: '/tmp/s/re,lays' }), '-netdev')!;
    const script = `'{ echo >"$1/$$"; } 2>/dev/null; socat STDIO UNIX-CONNECT:/tmp/pxe-harness-sock-Ab12/ftp.sock; rm -f "$1/$$" 2>/dev/null'`;
    expect(netdev).toContain(`guestfwd=tcp:10.0.2.100:21-cmd:sh -c ${script} relay /tmp/s/re,,lays,`);
    expect(netdev).toContain('guestfwd=tcp:10.0.2.100:30000-cmd:sh -c ');
  });

  it.each([
    ['relative', 'ftp.sock'],
    ['with a comma (socat and QEMU option syntax)', '/tmp/a,b/ftp.sock'],
    ['with a colon', '/tmp/a:b/ftp.sock'],
    ['with a space', '/tmp/a b/ftp.sock'],
    ['with a quote', "/tmp/a'b/ftp.sock"],
    ['longer than sun_path', `/tmp/${'x'.repeat(110)}.sock`],
  ])('refuses a host socket path %s: the relay names it unquoted', (_what, hostSocket) => {
    const network = { ...base.network!, forwards: [{ guestAddress: '10.0.2.100', guestPort: 80, hostSocket }] };
    expect(() => buildQemuArgs({ ...base, network })).toThrow(/bad host socket/);
  });

  it('waits for the serial console client before the guest starts, and opens QMP', () => {
    const args = buildQemuArgs(base);
    expect(optionAfter(args, '-chardev')).toBe('socket,id=serial0,path=/tmp/s/serial.sock,server=on,wait=on');
    expect(optionAfter(args, '-qmp')).toBe('unix:/tmp/s/qmp.sock,server=on,wait=off');
  });

  it('boots a disk alone with no network device at all', () => {
    const { network: _omit, ...rest } = base;
    const args = buildQemuArgs({ ...rest, bootFrom: 'disk', disks: [{ path: '/d/disk.raw', format: 'raw', interface: 'ide' }] });
    expect(args).not.toContain('-netdev');
    expect(args.join(' ')).not.toContain('virtio-net');
    expect(optionAfter(args, '-drive')).toBe('file=/d/disk.raw,format=raw,if=ide,index=0,media=disk');
    expect(optionAfter(args, '-boot')).toBe('order=c');
  });

  it('gives a disk with a serial number a device of its own, which carries the serial (QEMU refuses it on -drive)', () => {
    const args = buildQemuArgs({ ...base, disks: [{ path: '/d/disk.raw', format: 'raw', interface: 'ide', serial: 'PXEHARNESS0001' }] });
    expect(optionAfter(args, '-drive')).toBe('file=/d/disk.raw,format=raw,if=none,id=disk0');
    expect(args).toContain('ide-hd,bus=ide.0,drive=disk0,serial=PXEHARNESS0001');
    expect(args.join(' ')).not.toContain('bootindex');
  });

  it('refuses a network boot without a network and a disk boot without a disk', () => {
    const { network: _omit, ...rest } = base;
    expect(() => buildQemuArgs(rest)).toThrow(/network boot needs/);
    expect(() => buildQemuArgs({ ...rest, bootFrom: 'disk' })).toThrow(/disk boot needs a disk/);
  });

  it('with bootindex (a firmware that ignores -boot order): the NIC carries bootindex=1 and no -boot option is given', () => {
    const args = buildQemuArgs({ ...base, machineType: 'q35', bootSelection: 'bootindex', firmwareArgs: ['-drive', 'if=pflash,format=raw,readonly=on,file=/f/CODE.fd'] });
    expect(optionAfter(args, '-machine')).toBe('q35');
    expect(args).not.toContain('-boot');
    expect(args).toContain('virtio-net-pci,netdev=net0,bootindex=1');
    expect(args.slice(args.indexOf('-machine') + 2, args.indexOf('-machine') + 4)).toEqual(['-drive', 'if=pflash,format=raw,readonly=on,file=/f/CODE.fd']);
  });

  it('with bootindex, a disk boot puts bootindex=1 on the first disk device only', () => {
    const { network: _omit, ...rest } = base;
    const disks = [
      { path: '/d/a.raw', format: 'raw', interface: 'ide' },
      { path: '/d/b.qcow2', format: 'qcow2', interface: 'virtio' },
    ] as const;
    const args = buildQemuArgs({ ...rest, bootSelection: 'bootindex', bootFrom: 'disk', disks: [...disks] });
    expect(args).toContain('file=/d/a.raw,format=raw,if=none,id=disk0');
    expect(args).toContain('ide-hd,bus=ide.0,drive=disk0,bootindex=1');
    expect(args).toContain('virtio-blk-pci,drive=disk1');
    expect(args).not.toContain('-boot');
  });

  it('with bootindex, a network boot with a disk keeps the disk out of the boot order', () => {
    const args = buildQemuArgs({ ...base, bootSelection: 'bootindex', disks: [{ path: '/d/a.raw', format: 'raw', interface: 'ide' }] });
    expect(args).toContain('ide-hd,bus=ide.0,drive=disk0');
    expect(args).toContain('virtio-net-pci,netdev=net0,bootindex=1');
  });

  it('quotes the command line for a shell', () => {
    expect(shellQuote(['qemu', '-netdev', 'user,guestfwd=tcp:1.2.3.4:80-cmd:socat STDIO UNIX-CONNECT:/s/h.sock'])).toBe(
      "qemu -netdev 'user,guestfwd=tcp:1.2.3.4:80-cmd:socat STDIO UNIX-CONNECT:/s/h.sock'",
    );
  });
});
