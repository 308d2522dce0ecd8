/*
 * The servers the benchmarks compare: the harness's own publishers and Debian's nginx and vsftpd,
 * each on 127.0.0.1 with the fixture ISO at ISO_PATH, each able to say when the guest has the
 * whole ISO and at what rate, read from the server's own log.
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

/** Debian's nginx on 127.0.0.1 (sendfile on), logging each request's time and bytes. */
export async function nginxServer(dir: string, iso: string, size: number, port: number): Promise<IsoServer | undefined> {
  if (!installed('/usr/sbin/nginx')) return undefined;
  const root = join(dir, 'nginx-root');
  await mkdir(join(root, 'image'), { recursive: true });
  await rm(join(root, ISO_PATH), { force: true });
  await symlink(iso, join(root, ISO_PATH));
  const logPath = join(dir, 'nginx-access.log');
  await writeFile(logPath, '');
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off; ${process.getuid?.() === 0 ? 'user root; ' : ''}pid ${dir}/nginx.pid; error_log ${dir}/nginx.err; events {}
http { log_format timed "$request_method $uri $status $body_bytes_sent $request_time"; access_log ${logPath} timed;
  sendfile on; server { listen 127.0.0.1:${port}; root ${root}; } }\n`,
  );
  const log = watchLog(logPath, (text) => {
    const m = text.match(new RegExp(`^GET ${ISO_PATH} 200 ${size} ([\\d.]+)$`, 'm'));
    return m ? size / 1e6 / Number(m[1]) : undefined;
  });
  const stop = await daemon('/usr/sbin/nginx', ['-c', conf, '-p', dir], log);
  return { label: 'nginx', forwards: [{ guestPort: 80, hostPort: port }], url: `http://${PUBLISH_ADDRESS}${ISO_PATH}`, transferred: log.transferred, stop };
}

/** Debian's vsftpd on 127.0.0.1, anonymous and read-only, passive ports forwarded one to one. */
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
  const stop = await daemon('/usr/sbin/vsftpd', [conf], log);
  return {
    label: 'vsftpd',
    forwards: [{ guestPort: 21, hostPort: port }, ...passive.map((p) => ({ guestPort: p, hostPort: p }))],
    url: `ftp://${PUBLISH_ADDRESS}${ISO_PATH}`,
    transferred: log.transferred,
    stop,
  };
}
