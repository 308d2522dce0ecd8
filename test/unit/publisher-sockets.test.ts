import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBootFileServer } from '../../harness/netboot/boot-file-server.js';
import { startFtpPublisher } from '../../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../../harness/publish/http-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import type { PortForward, Publisher } from '../../harness/publish/publisher.js';
import { createSelfSignedCertificate } from '../../harness/publish/tls-certificate.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { getThrough, serviceSocket } from '../helpers/publisher-sockets.js';

// Issue 25: every server the guest reaches listens on a UNIX socket in a 0700 folder of its own,
// never on a TCP port, so that no other local user can take an FTP passive port before the guest,
// hold every connection slot, or clash with another run's ports.
const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let files: PublishedFiles;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-sockets-test-'));
  await writeFile(join(dir, 'live.iso'), Buffer.alloc(100_000, 3));
  await writeFile(join(dir, 'linux'), 'KERNEL-BYTES');
  await writeFile(join(dir, 'initrd'), 'INITRD-BYTES');
  files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'live.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The inodes of the TCP sockets this process listens on, IPv4 and IPv6 (state 0A in /proc/net/tcp). */
function listeningTcpInodes(): string[] {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode) mine.add(inode);
    } catch {
      // The descriptor closed while listed.
    }
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && mine.has(f[9]!)) listening.push(f[9]!);
    }
  }
  return listening;
}

/** Every server the guest reaches, started as a boot starts it, with what stops it. */
const SERVERS: Array<[string, () => Promise<{ forwards: PortForward[]; stop(): Promise<unknown> }>]> = [
  ['http', () => startHttpPublisher(files, new TransferLog())],
  ['https', async () => startHttpPublisher(files, new TransferLog(), { tls: await createSelfSignedCertificate(dir, '10.0.2.100') })],
  ['ftp', () => startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100' })],
  ['the boot-file server', async () => {
    const undo: Array<() => unknown> = [];
    const context = { runtimeDir: dir, artifactsDir: dir, kernelArgs: [], loaderFiles: { kernelPath: join(dir, 'linux'), initrdPath: join(dir, 'initrd') }, onTeardown: (_: string, fn: () => unknown) => undo.push(fn) };
    const server = await startBootFileServer(context as unknown as Parameters<typeof startBootFileServer>[0]);
    return { forwards: server.forwards, stop: async () => { for (const fn of undo.reverse()) await fn(); } };
  }],
];

describe.each(SERVERS)('%s: reachable through its socket alone', (_name, start) => {
  it('opens no TCP port, and names a socket (no port) for each guest forward', async () => {
    const before = listeningTcpInodes();
    const server = await start();
    try {
      expect(listeningTcpInodes().filter((inode) => !before.includes(inode))).toEqual([]);
      expect(server).not.toHaveProperty('hostPort');
      for (const forward of server.forwards) {
        expect(Object.keys(forward).filter((k) => k !== 'guestAddress').sort()).toEqual(['guestPort', 'hostSocket']);
        expect((await lstat(forward.hostSocket)).isSocket()).toBe(true);
      }
    } finally {
      await server.stop();
    }
  });

  it('keeps its sockets, and nothing else, in a folder of its own, mode 0700, under the temp dir; stop() removes the folder', async () => {
    const server = await start();
    const folder = dirname(server.forwards[0]!.hostSocket);
    try {
      expect(dirname(folder)).toBe(tmpdir());
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await readdir(folder)).sort()).toEqual(server.forwards.map((f) => f.hostSocket.slice(folder.length + 1)).sort());
      for (const forward of server.forwards) expect(Buffer.byteLength(forward.hostSocket)).toBeLessThan(108);
    } finally {
      await server.stop();
    }
    expect(existsSync(folder)).toBe(false);
  });
});

describe('FTP passive ports', () => {
  it('exist only as socket files in the folder, one per announced guest port, beside the control socket', async () => {
    const before = listeningTcpInodes();
    const publisher = await startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100', passivePorts: 3 });
    try {
      const folder = dirname(serviceSocket(publisher));
      expect(publisher.forwards.map((f) => [f.guestPort, f.hostSocket])).toEqual([
        [21, join(folder, 'ftp.sock')],
        [30000, join(folder, 'pasv-30000.sock')],
        [30001, join(folder, 'pasv-30001.sock')],
        [30002, join(folder, 'pasv-30002.sock')],
      ]);
      expect((await readdir(folder)).sort()).toEqual(['ftp.sock', 'pasv-30000.sock', 'pasv-30001.sock', 'pasv-30002.sock']);
      expect(listeningTcpInodes().filter((inode) => !before.includes(inode))).toEqual([]);
    } finally {
      await publisher.stop();
    }
  });

  it('two publishers at once (two runs) announce the same guest ports from folders of their own: nothing to clash on', async () => {
    const a = await startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100' });
    const b = await startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100' });
    try {
      expect(a.forwards.map((f) => f.guestPort)).toEqual(b.forwards.map((f) => f.guestPort));
      expect(dirname(serviceSocket(a))).not.toBe(dirname(serviceSocket(b)));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('refuses passive ports that would overlap the control port or leave the port range', async () => {
    await expect(startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100', guestPort: 30001 })).rejects.toThrow(/bad passive ports/);
    await expect(startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100', firstPassivePort: 65534 })).rejects.toThrow(/bad passive ports/);
  });
});

describe('who can reach a publisher', () => {
  let publisher: Publisher;
  beforeAll(async () => {
    publisher = await startHttpPublisher(files, new TransferLog());
  });
  afterAll(() => publisher.stop());

  it('its own user, through the socket (as the guest forward relay does)', async () => {
    expect(await getThrough(serviceSocket(publisher), '/image/live.iso')).toMatchObject({ status: 200 });
  });

  // Root can always connect; the folder keeps out every other user. Tried as nobody when root.
  it.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/bin/socat'))('not another user: the 0700 folder refuses them the socket', async () => {
    const result = await execa('socat', ['-u', `UNIX-CONNECT:${serviceSocket(publisher)}`, '-'], { reject: false, uid: 65534, gid: 65534, timeout: 5_000 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/Permission denied/);
    expect(publisher.transfers.transfers).toEqual([expect.objectContaining({ status: 200 })]);
  });
});

describe('a temp dir whose path no guest forward can name', () => {
  it.each([
    ['too long for sun_path', 'x'.repeat(90)],
    ['with a character the relay would have to quote', 'a,b'],
  ])('%s: the publisher refuses to start, says to change TMPDIR, and leaves no folder', async (_what, name) => {
    const unfit = join(dir, name);
    await mkdir(unfit, { recursive: true });
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = unfit;
    try {
      await expect(startHttpPublisher(files, new TransferLog())).rejects.toMatchObject({ kind: 'host', context: { fix: expect.stringMatching(/TMPDIR/) } });
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
    expect(await readdir(unfit)).toEqual([]);
  });
});

describe('a harness that exits without stopping its publisher', () => {
  it('leaves no socket folder behind: the exit hook removes it', async () => {
    const script = join(dir, 'exits-early.ts');
    await writeFile(
      script,
      `import { startFtpPublisher } from '${root}harness/publish/ftp-publisher.js';
import { PublishedFiles } from '${root}harness/publish/published-files.js';
import { TransferLog } from '${root}harness/publish/transfer-log.js';
const publisher = await startFtpPublisher(await PublishedFiles.of([]), new TransferLog(), { announcedAddress: '10.0.2.100' });
console.log(publisher.forwards[0]!.hostSocket);
process.exit(3);
`,
    );
    const child = spawn(join(root, 'node_modules/.bin/vite-node'), [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(3);
    const socketPath = out.trim().split('\n').at(-1)!;
    expect(socketPath).toMatch(/\/pxe-harness-sock-\w+\/ftp\.sock$/);
    expect(existsSync(dirname(socketPath))).toBe(false);
  });
});
