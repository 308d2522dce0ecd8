/*
 * The figures of issue 6 that need no boot:
 *  - memory: peak RSS of the harness process while its publishers serve ISOs of 0.3 GB and 4 GB
 *    (sparse test files) to curl, over http and ftp;
 *  - transfer: the host-side rate of the harness's publishers through their UNIX sockets (the
 *    path the guest's relays take), against nginx (Debian's nginx-light, started here on a socket
 *    when installed) for the same file.
 * Each figure is the median of several runs; the boot figures are in boots.ts.
 */
import { statSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startFtpPublisher } from '../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../harness/publish/http-publisher.js';
import { PublishedFiles } from '../harness/publish/published-files.js';
import { TransferLog } from '../harness/publish/transfer-log.js';
import { ftpFetchRate } from './ftp-fetch.js';
import { median, type Section } from './measure.js';
import { nginxServer } from './servers.js';

let RUNS = 3;

/** curl's rate for an http URL through a server's UNIX socket. */
async function curlRate(socket: string, url: string): Promise<number> {
  const result = await execa('curl', ['-sS', '-f', '-o', '/dev/null', '-w', '%{speed_download}', '--unix-socket', socket, url]);
  return Number(result.stdout) / 1e6;
}

async function measurePublisher(protocol: 'http' | 'ftp', file: string): Promise<{ peakRssMb: number; rateMBps: number }> {
  const files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: file }]);
  const publisher = protocol === 'http' ? await startHttpPublisher(files, new TransferLog()) : await startFtpPublisher(files, new TransferLog(), { announcedAddress: '10.0.2.100' });
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const rateMBps =
      protocol === 'http'
        ? await curlRate(publisher.forwards[0]!.hostSocket, publisher.url('10.0.2.100', '/image/live.iso'))
        : await ftpFetchRate(publisher, '/image/live.iso', statSync(file).size);
    return { peakRssMb: peak / 1024 ** 2, rateMBps };
  } finally {
    clearInterval(sampler);
    await publisher.stop();
  }
}

/** Debian's nginx (the same set-up as in the boot benchmarks) serving the file to curl. */
async function nginxRate(dir: string, file: string): Promise<number | undefined> {
  const nginx = await nginxServer(dir, file, statSync(file).size);
  if (!nginx) return undefined;
  try {
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(await curlRate(nginx.forwards[0]!.hostSocket, nginx.url));
    return median(rates);
  } finally {
    await nginx.stop();
  }
}

export async function publisherSections(runs: number): Promise<Section[]> {
  RUNS = runs;
  const dir = await mkdtemp(join(tmpdir(), 'pxe-bench-'));
  try {
    const small = join(dir, 'small.iso');
    const large = join(dir, 'large.iso');
    await writeFile(small, '');
    await truncate(small, Math.round(0.3 * 1024 ** 3));
    await writeFile(large, '');
    await truncate(large, 4 * 1024 ** 3);
    const rows: string[] = [];
    const rates: Record<string, number> = {};
    for (const protocol of ['http', 'ftp'] as const) {
      for (const [label, file] of [['0.3 GB', small], ['4 GB', large]] as const) {
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await measurePublisher(protocol, file));
        const rss = median(runs.map((r) => r.peakRssMb));
        const rate = median(runs.map((r) => r.rateMBps));
        if (label === '0.3 GB') rates[protocol] = rate;
        rows.push(`| ${protocol} | ${label} | ${rss.toFixed(0)} MB | ${rss <= 150 ? 'met' : 'MISSED'} | ${rate.toFixed(0)} MB/s |`);
        console.log(`bench: ${rows.at(-1)}`);
      }
    }
    const nginx = await nginxRate(dir, small);
    return [
      {
        id: 'publishers',
        markdown: `### Publisher memory and host-side rate (no boot; target: RSS <= 150 MB whatever the ISO size)

Peak RSS of the whole harness process while one publisher serves the file through its UNIX socket
(the path the guest's relays take), sparse test files, median of ${RUNS} runs. The client: http,
curl --unix-socket; ftp, the control conversation in the bench and the data read by socat
(bench/ftp-fetch.ts: curl's FTP cannot use a socket). Before issue 25 the publishers
listened on TCP ports of 127.0.0.1 and curl fetched from there (both protocols).

| protocol | ISO | peak RSS | target | rate (UNIX socket) |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Host-side rate against nginx (Debian's nginx-light, sendfile on, on a UNIX socket too) for the 0.3 GB file:
${nginx === undefined ? 'nginx is not installed here (apt-get install nginx-light), so no ratio was measured.' : `nginx ${nginx.toFixed(0)} MB/s; harness http ${rates.http!.toFixed(0)} MB/s (ratio ${(rates.http! / nginx).toFixed(2)}), harness ftp ${rates.ftp!.toFixed(0)} MB/s (ratio ${(rates.ftp! / nginx).toFixed(2)}). What the guest gets is measured in the transfer section, through slirp and the forwards.`}
`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
