/*
 * The servers the benchmarks compare: the harness's own publishers and Debian's nginx and vsftpd,
 * each behind UNIX sockets (the guest forwards relay to sockets, publish/socket-folder.ts) with the
 * fixture ISO at ISO_PATH, each able to say when the guest has the whole ISO and at what rate,
 * read from the server's own log.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFtpPublisher } from '../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../harness/publish/http-publisher.js';
import { PublishedFiles } from '../harness/publish/published-files.js';
import type { PortForward } from '../harness/publish/publisher.js';
import { TransferLog } from '../harness/publish/transfer-log.js';
import { signalGroup } from '../harness/process/signal-group.js';
import { place } from '../harness/netboot/place-file.js';
import { SERVICE_ADDRESS as PUBLISH_ADDRESS } from '../harness/qemu/guest-network.js';
import { settlesWithin } from '../harness/util/settles-within.js';
import { freePort } from './measure.js';

export const ISO_PATH = '/image/pxe-fixture.iso';

/** A served ISO and how to read the rate of its one complete transfer. */
export interface IsoServer {
  label: string;
  forwards: PortForward[];
  /** The ISO's URL as the guest sees it. */
  url: string;
  /** Resolves with MB/s once the client has the whole ISO. */
  transferred: Promise<number>;
  stop(): Promise<void>;
}

export async function harnessServer(protocol: 'http' | 'ftp', iso: string, size: number): Promise<IsoServer> {
  const log = new TransferLog();
  const files = await PublishedFiles.of([{ urlPath: ISO_PATH, filePath: iso }]);
  const publisher = protocol === 'http' ? await startHttpPublisher(files, log) : await startFtpPublisher(files, log, { announcedAddress: PUBLISH_ADDRESS });
  const transferred = new Promise<number>((resolve) =>
    log.on('transfer', (t) => t.complete && t.bytesSent === size && resolve(t.bytesSent / 1e6 / (t.durationMs / 1000))),
  );
  return { label: `harness ${protocol}`, forwards: publisher.forwards, url: publisher.url(PUBLISH_ADDRESS, ISO_PATH), transferred, stop: () => publisher.stop() };
}

/** Polls a log file until `parse` finds the finished transfer in it; stop() ends the polling. */
function watchLog(path: string, parse: (text: string) => number | undefined): { transferred: Promise<number>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const transferred = new Promise<number>((resolve) => {
    timer = setInterval(async () => {
      const rate = parse(await readFile(path, 'utf8').catch(() => ''));
      if (rate !== undefined) {
        clearInterval(timer);
        resolve(rate);
      }
    }, 250);
  });
  return { transferred, stop: () => clearInterval(timer) };
}

/** A server in a process group of its own, stopped as QEMU is: SIGTERM, then SIGKILL. */
async function daemon(command: string, args: string[], log: { stop(): void }): Promise<() => Promise<void>> {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 500));
  return async () => {
    log.stop();
    signalGroup(child.pid!, 'SIGTERM');
    if (!(await settlesWithin(exited, 3_000))) signalGroup(child.pid!, 'SIGKILL');
  };
}

const installed = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Debian's nginx on the UNIX socket `dir`/nginx.sock (sendfile on), logging each request's time and bytes. */
export async function nginxServer(dir: string, iso: string, size: number): Promise<IsoServer | undefined> {
  if (!installed('/usr/sbin/nginx')) return undefined;
  const root = join(dir, 'nginx-root');
  await mkdir(join(root, 'image'), { recursive: true });
  await rm(join(root, ISO_PATH), { force: true });
  await symlink(iso, join(root, ISO_PATH));
  const logPath = join(dir, 'nginx-access.log');
  await writeFile(logPath, '');
  const conf = join(dir, 'nginx.conf');
  const socket = join(dir, 'nginx.sock');
  await rm(socket, { force: true });
  await writeFile(
    conf,
    `daemon off; ${process.getuid?.() === 0 ? 'user root; ' : ''}pid ${dir}/nginx.pid; error_log ${dir}/nginx.err; events {}
http { log_format timed "$request_method $uri $status $body_bytes_sent $request_time"; access_log ${logPath} timed;
  sendfile on; server { listen unix:${socket}; root ${root}; } }\n`,
  );
  const log = watchLog(logPath, (text) => {
    const m = text.match(new RegExp(`^GET ${ISO_PATH} 200 ${size} ([\\d.]+)$`, 'm'));
    return m ? size / 1e6 / Number(m[1]) : undefined;
  });
  const stop = await daemon('/usr/sbin/nginx', ['-c', conf, '-p', dir], log);
  return { label: 'nginx', forwards: [{ guestPort: 80, hostSocket: socket }], url: `http://${PUBLISH_ADDRESS}${ISO_PATH}`, transferred: log.transferred, stop };
}

/**
 * Joins a UNIX socket to a TCP port on 127.0.0.1, for a server that cannot listen on a socket
 * (vsftpd): one socat per connection, one more hop than a server on the socket has.
 */
async function socketToPort(socket: string, port: number): Promise<() => Promise<void>> {
  await rm(socket, { force: true });
  return daemon('socat', [`UNIX-LISTEN:${socket},fork`, `TCP:127.0.0.1:${port}`], { stop: () => undefined });
}

/**
 * Debian's vsftpd on 127.0.0.1, anonymous and read-only, its control and passive ports each
 * behind a socket (socketToPort) that the forward of the same guest port relays to.
 */
export async function vsftpdServer(dir: string, iso: string, size: number, port: number): Promise<IsoServer | undefined> {
  if (!installed('/usr/sbin/vsftpd')) return undefined;
  const root = join(dir, 'ftp-root');
  await mkdir(join(root, 'image'), { recursive: true });
  await mkdir(join(dir, 'empty'), { recursive: true });
  // Linked or copied, not symlinked: vsftpd chroots anonymous users into anon_root.
  await rm(join(root, ISO_PATH), { force: true });
  await place(iso, join(root, ISO_PATH));
  const logPath = join(dir, 'vsftpd.log');
  await writeFile(logPath, '');
  // One passive port is enough for curl's one transfer, and a range would need free neighbours.
  const passive = [await freePort()];
  const conf = join(dir, 'vsftpd.conf');
  await writeFile(
    conf,
    [
      'listen=YES', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
      'anonymous_enable=YES', 'local_enable=NO', 'write_enable=NO', `anon_root=${root}`, 'no_anon_password=YES',
      `secure_chroot_dir=${join(dir, 'empty')}`, 'seccomp_sandbox=NO', 'run_as_launching_user=YES',
      'pasv_enable=YES', `pasv_address=${PUBLISH_ADDRESS}`, 'pasv_addr_resolve=NO', 'pasv_promiscuous=YES',
      `pasv_min_port=${passive[0]}`, `pasv_max_port=${passive.at(-1)}`,
      'xferlog_enable=YES', 'xferlog_std_format=NO', `vsftpd_log_file=${logPath}`, 'use_sendfile=YES',
    ].join('\n') + '\n',
  );
  const log = watchLog(logPath, (text) => {
    const m = text.match(/OK DOWNLOAD: .*?, (\d+) bytes, ([\d.]+)Kbyte\/sec/);
    return m && Number(m[1]) === size ? (Number(m[2]) * 1024) / 1e6 : undefined;
  });
  const stopVsftpd = await daemon('/usr/sbin/vsftpd', [conf], log);
  const ports = [{ guestPort: 21, port }, ...passive.map((p) => ({ guestPort: p, port: p }))];
  const forwards = ports.map((p) => ({ guestPort: p.guestPort, hostSocket: join(dir, `vsftpd-${p.port}.sock`) }));
  const bridges = await Promise.all(ports.map((p, i) => socketToPort(forwards[i]!.hostSocket, p.port)));
  const stop = async () => {
    for (const stopBridge of bridges) await stopBridge();
    await stopVsftpd();
  };
  return {
    label: 'vsftpd',
    forwards,
    url: `ftp://${PUBLISH_ADDRESS}${ISO_PATH}`,
    transferred: log.transferred,
    stop,
  };
}
