import { relayArgv, socatToSocket } from './guest-relays.js';

/** A disk attached to the machine; the same file can travel across the boots of a scenario. */
export interface DiskAttachment {
  path: string;
  format: 'raw' | 'qcow2';
  /** ide: /dev/sda in the guest (the seed's `-hda`); virtio: /dev/vda. */
  interface: 'ide' | 'virtio';
  /** The disk's serial number (in /dev/disk/by-id/ names); QEMU's default when absent. */
  serial?: string;
}

/** A TCP port the guest reaches at guestAddress:guestPort, relayed to the UNIX socket hostSocket. */
export interface GuestForward {
  guestAddress: string;
  guestPort: number;
  hostSocket: string;
}

/**
 * A socket path the relay can name as it is: absolute, and of characters that neither sh, nor
 * socat's address syntax (`,` `:` `!!`), nor QEMU's options need quoted; short enough for sun_path.
 */
const PLAIN_SOCKET_PATH = /^\/[\w./-]+$/;
const MAX_SOCKET_PATH_BYTES = 107;

export interface NetworkSetup {
  tftpRoot: string;
  bootfile: string;
  forwards: GuestForward[];
  /**
   * A second NIC on a tap device of this name (a layer-2 publisher's segment, AoE): no option
   * ROM and no boot index, so the firmware never boots from it; the harness moves the tap into
   * its network namespace before the guest runs.
   */
  tap?: string;
  /** false: the boot NIC without its option ROM (QEMU's iPXE), so that the firmware's own network stack boots. */
  nicOptionRom?: false;
}

export interface MachineConfig {
  name: string;
  memoryMb: number;
  cpus: number;
  accel: 'tcg' | 'kvm';
  /**
   * TCG only: multi (QEMU's default, one host thread per vCPU) or single (every vCPU on one
   * thread, which cannot race the guest kernel's live code patching; slower with several vCPUs).
   */
  tcgThread: 'multi' | 'single';
  /** The firmware's machine type, its own arguments, and how it is told what to boot. */
  machineType: string;
  /** QEMU's `-cpu`, when the architecture needs one other than the machine's default. */
  cpu?: string;
  /** The machine's screen: a VGA card, or a GPU device where the machine has no VGA. */
  display: readonly string[];
  /**
   * Where a disk asked for on 'ide' goes: the PC's IDE bus, or an AHCI (SATA) controller on a
   * machine without IDE (virt); either way libata drives it and the guest names it sd[a-z], as
   * the seed's `-hda`.
   */
  ideDisks?: 'ide' | 'ahci';
  firmwareArgs: string[];
  /** The network boot path's own settings, after the firmware's (fw_cfg switches, an RNG device). */
  bootPathArgs?: string[];
  bootSelection: 'boot-order' | 'bootindex';
  /** network: PXE; disk: the first disk, with no network device at all. */
  bootFrom: 'network' | 'disk';
  network?: NetworkSetup;
  disks: DiskAttachment[];
  noReboot: boolean;
  serialSocket: string;
  qmpSocket: string;
  /**
   * Where each guest-forward relay writes its pid while it runs, so that the machine can stop
   * its relays (see guest-relays.ts); without it the relay is a plain socat, known to no one.
   */
  relayPidDir?: string;
}

/** Commas separate QEMU's sub-options; a literal one is written twice. */
const escapeOption = (value: string) => value.replaceAll(',', ',,');

/** The QEMU command line for a machine; pure, so it is tested without QEMU. */
export function buildQemuArgs(config: MachineConfig): string[] {
  const args = [
    '-name', config.name,
    '-nodefaults', '-no-user-config',
    '-accel', config.accel === 'tcg' && config.tcgThread === 'single' ? 'tcg,thread=single' : config.accel,
    '-machine', config.machineType,
    ...(config.cpu ? ['-cpu', config.cpu] : []),
    ...config.firmwareArgs,
    ...(config.bootPathArgs ?? []),
    '-m', String(config.memoryMb),
    '-smp', String(config.cpus),
    // No window, but a screen: firmware and boot loader messages go to it, and QMP's screendump
    // takes a picture of it.
    '-display', 'none', ...config.display,
    // wait=on: QEMU does not start the guest before the harness is connected, so the console is
    // captured from its first byte.
    '-chardev', `socket,id=serial0,path=${escapeOption(config.serialSocket)},server=on,wait=on`,
    '-serial', 'chardev:serial0',
    '-qmp', `unix:${escapeOption(config.qmpSocket)},server=on,wait=off`,
  ];
  if (config.noReboot) args.push('-no-reboot');
  args.push(...networkArgs(config), ...diskArgs(config));
  if (config.bootSelection === 'boot-order') args.push('-boot', config.bootFrom === 'network' ? 'order=n' : 'order=c');
  return args;
}

/** bootindex=1 on the device to boot from (firmware that ignores `-boot order=`). */
const bootIndex = (config: MachineConfig, from: MachineConfig['bootFrom']) =>
  config.bootSelection === 'bootindex' && config.bootFrom === from ? ',bootindex=1' : '';

function networkArgs(config: MachineConfig): string[] {
  const n = config.network;
  if (!n) {
    if (config.bootFrom === 'network') throw new RangeError('a network boot needs a network setup (TFTP root and forwards)');
    return [];
  }
  // restrict=on: the guest reaches nothing but the TFTP root and the forwards below.
  const netdev = ['user', 'id=net0', 'restrict=on', `tftp=${escapeOption(n.tftpRoot)}`, `bootfile=${escapeOption(n.bootfile)}`];
  for (const f of n.forwards) {
    if (!PLAIN_SOCKET_PATH.test(f.hostSocket) || Buffer.byteLength(f.hostSocket) > MAX_SOCKET_PATH_BYTES) throw new RangeError(`bad host socket ${JSON.stringify(f.hostSocket)}`);
    const relay = config.relayPidDir ? shellQuote(relayArgv(f.hostSocket, config.relayPidDir)) : socatToSocket(f.hostSocket);
    netdev.push(`guestfwd=tcp:${f.guestAddress}:${f.guestPort}-cmd:${escapeOption(relay)}`);
  }
  const tap = n.tap ? ['-netdev', `tap,id=net1,ifname=${escapeOption(n.tap)},script=no,downscript=no`, '-device', 'virtio-net-pci,netdev=net1,romfile='] : [];
  const rom = n.nicOptionRom === false ? ',romfile=' : '';
  return ['-netdev', netdev.join(','), '-device', `virtio-net-pci,netdev=net0${rom}${bootIndex(config, 'network')}`, ...tap];
}

function diskArgs(config: MachineConfig): string[] {
  if (config.bootFrom === 'disk' && config.disks.length === 0) throw new RangeError('a disk boot needs a disk');
  const drives = config.disks.flatMap((disk, index) => {
    const file = `file=${escapeOption(disk.path)},format=${disk.format}`;
    if (config.bootSelection === 'boot-order' && !disk.serial) return ['-drive', `${file},if=${disk.interface},index=${index},media=disk`];
    // With bootindex, or a serial number (a property of the device, not of the drive), the drive
    // needs a device of its own to carry it.
    const boot = index === 0 ? bootIndex(config, 'disk') : '';
    const serial = disk.serial ? `,serial=${disk.serial}` : '';
    return ['-drive', `${file},if=none,id=disk${index}`, '-device', `${diskDevice(config, disk, index)},drive=disk${index}${serial}${boot}`];
  });
  const controller = config.ideDisks === 'ahci' ? ['-device', 'ich9-ahci,id=ahci0'] : [];
  return config.disks.some((d) => d.interface === 'ide') ? [...controller, ...drives] : drives;
}

function diskDevice(config: MachineConfig, disk: DiskAttachment, index: number): string {
  if (disk.interface === 'virtio') return 'virtio-blk-pci';
  return config.ideDisks === 'ahci' ? `ide-hd,bus=ahci0.${index}` : `ide-hd,bus=ide.${index}`;
}

/** The command line as one shell-quoted string, for the artifacts and for reproducing by hand. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
