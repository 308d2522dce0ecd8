import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtpPublisher } from '../../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../../harness/publish/http-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import type { Publisher } from '../../harness/publish/publisher.js';
import { checkTlsAuthority, createSelfSignedCertificate, issueCertificate } from '../../harness/publish/tls-certificate.js';
import { describeTransfer, isFailedTransfer, TransferLog } from '../../harness/publish/transfer-log.js';
import { GuestView } from '../helpers/guest-view.js';
import { curlThrough, serviceSocket } from '../helpers/publisher-sockets.js';

// The publishers against the real curl (the client KIWI's initrd uses), through their UNIX
// sockets: http(s) with curl --unix-socket, ftp through a guest view (guest-view.ts).
let dir: string;
let files: PublishedFiles;
const content = Buffer.alloc(3 * 1024 * 1024 + 123, 7);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-publish-test-'));
  await writeFile(join(dir, 'live.iso'), content);
  await writeFile(join(dir, 'secret.txt'), 'not published\n');
  files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'live.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function curl(args: string[]) {
  return execa('curl', ['-sS', '--max-time', '20', ...args], { reject: false, encoding: 'buffer' });
}

describe('HTTP publisher', () => {
  let publisher: Publisher;
  let log: TransferLog;
  beforeAll(async () => {
    log = new TransferLog(join(dir, 'http-transfers.jsonl'));
    publisher = await startHttpPublisher(files, log);
  });
  afterAll(() => publisher.stop());

  it('forwards guest port 80 to its socket, named http.sock', () => {
    expect(publisher.forwards).toEqual([{ guestPort: 80, hostSocket: expect.stringMatching(/\/pxe-harness-sock-\w+\/http\.sock$/) }]);
    expect(publisher.url('10.0.2.100', '/image/live.iso')).toBe('http://10.0.2.100/image/live.iso');
  });

  it('serves the published file whole and logs the complete transfer', async () => {
    const result = await curl(['-f', ...curlThrough(publisher, '/image/live.iso')]);
    expect(result.exitCode).toBe(0);
    expect(Buffer.compare(result.stdout as Buffer, content)).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    const t = log.of('/image/live.iso').at(-1)!;
    expect(t).toMatchObject({ protocol: 'http', method: 'GET', outcome: 'whole', status: 200, complete: true, bytesSent: content.length, sizeBytes: content.length });
  });

  it.each(['/secret.txt', '/image/../secret.txt', '/image/%2e%2e/secret.txt', '/image/..%2fsecret.txt', '/etc/passwd', '/image/'])(
    'refuses %s with 404 and logs it as a failed transfer',
    async (path) => {
      const result = await curl(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', ...curlThrough(publisher, path)]);
      expect(Buffer.from(result.stdout as Uint8Array).toString()).toBe('404');
      await new Promise((r) => setTimeout(r, 20));
      expect(log.transfers.at(-1)).toMatchObject({ outcome: 'not-found', status: 404, complete: false, bytesSent: 0 });
    },
  );

  it('logs a fast client that hangs up as soon as it has every byte as complete (20 times)', async () => {
    // Seen before the fix in about half of such transfers: the client closed before the pipe had
    // called end(), and a whole transfer was logged INCOMPLETE, a false FAIL on a fast machine.
    const before = log.transfers.length;
    for (let i = 0; i < 20; i++) await curl(['-f', '-o', '/dev/null', ...curlThrough(publisher, '/image/live.iso')]);
    for (let i = 0; i < 100 && log.transfers.length < before + 20; i++) await new Promise((r) => setTimeout(r, 20));
    const ended = log.transfers.slice(before);
    expect(ended).toHaveLength(20);
    expect(ended.filter((t) => !t.complete)).toEqual([]);
  });

  it('logs a transfer the client cuts short as incomplete', async () => {
    const result = await curl(['--max-filesize', '1', '--limit-rate', '100k', '--max-time', '1', '-o', '/dev/null', ...curlThrough(publisher, '/image/live.iso')]);
    expect(result.exitCode).not.toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    const t = log.of('/image/live.iso').at(-1)!;
    expect(t.complete).toBe(false);
    expect(t.outcome).toBe('partial');
  });
});

describe('HTTPS publisher', () => {
  let publisher: Publisher;
  let log: TransferLog;
  let certPath: string;
  beforeAll(async () => {
    log = new TransferLog();
    const tls = await createSelfSignedCertificate(dir, '10.0.2.100');
    certPath = tls.certPath;
    publisher = await startHttpPublisher(files, log, { tls });
  });
  afterAll(() => publisher.stop());
  // curl is told the guest-side URL and reaches it through the publisher's socket, so that the
  // certificate is checked against the address the guest uses.
  const asGuest = () => curlThrough(publisher, '/image/live.iso');

  it('forwards guest port 443 and names https URLs', () => {
    expect(publisher.protocol).toBe('https');
    expect(publisher.forwards).toEqual([{ guestPort: 443, hostSocket: expect.stringMatching(/\/https\.sock$/) }]);
    expect(publisher.url('10.0.2.100', '/image/live.iso')).toBe('https://10.0.2.100/image/live.iso');
  });

  it('serves the file whole to a client that trusts its certificate, which is valid for the guest-side address', async () => {
    const before = log.transfers.length;
    const result = await curl(['-f', '--cacert', certPath, ...asGuest()]);
    expect(result.exitCode).toBe(0);
    expect(Buffer.compare(result.stdout as Buffer, content)).toBe(0);
    // The server ends its record when the response is flushed, which may be after curl exits.
    for (let i = 0; i < 100 && log.transfers.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(log.transfers.slice(before)).toHaveLength(1);
    expect(log.transfers.at(-1)).toMatchObject({ protocol: 'https', method: 'GET', outcome: 'whole', status: 200, complete: true, bytesSent: content.length });
  });

  it("serves it to curl --insecure, as rd.kiwi.live.curl_options=--insecure makes the initrd's curl", async () => {
    const result = await curl(['-f', '--insecure', ...asGuest()]);
    expect(result.exitCode).toBe(0);
    expect((result.stdout as Buffer).length).toBe(content.length);
  });

  it('logs the refused handshake of a client without the certificate as a failed transfer', async () => {
    const before = log.transfers.length;
    const result = await curl(['-f', '-o', '/dev/null', ...asGuest()]);
    expect(result.exitCode).toBe(60); // curl: peer certificate cannot be authenticated
    for (let i = 0; i < 100 && log.transfers.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    const failed = log.transfers.slice(before);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ protocol: 'https', method: 'TLS', outcome: 'untrusted', status: 0, complete: false, bytesSent: 0 });
    expect(failed[0]!.path).toMatch(/^handshake failed: .*(unknown ca|certificate)/i);
    expect(failed[0]!.client).toMatch(/^https\.sock#\d+$/);
    expect(describeTransfer(failed[0]!)).toMatch(/^https TLS handshake failed: .* no request was made: does the client trust/);
    expect(isFailedTransfer(failed[0]!)).toBe(true);
  });
});

describe('FTP publisher', () => {
  let publisher: Publisher;
  let log: TransferLog;
  // curl's FTP data connection cannot go through a socket: it sees a second publisher as the guest does.
  let view: GuestView;
  let viewLog: TransferLog;
  beforeAll(async () => {
    log = new TransferLog();
    publisher = await startFtpPublisher(files, log, { announcedAddress: '10.0.2.100', passivePorts: 2 });
    viewLog = new TransferLog();
    view = await GuestView.start((ftp) => startFtpPublisher(files, viewLog, ftp));
  });
  afterAll(async () => {
    await publisher.stop();
    await view.stop();
  });

  it('forwards guest port 21 to ftp.sock and each passive port, from 30000, to a socket of its own', () => {
    const folder = serviceSocket(publisher).replace(/\/ftp\.sock$/, '');
    expect(publisher.forwards).toEqual([
      { guestPort: 21, hostSocket: `${folder}/ftp.sock` },
      { guestPort: 30000, hostSocket: `${folder}/pasv-30000.sock` },
      { guestPort: 30001, hostSocket: `${folder}/pasv-30001.sock` },
    ]);
  });

  it('serves the file to curl over EPSV, as KIWI\'s initrd fetches it', async () => {
    const result = await curl(['-f', `ftp://127.0.0.1:${view.port}/image/live.iso`]);
    expect(result.exitCode).toBe(0);
    expect(Buffer.compare(result.stdout as Buffer, content)).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(viewLog.of('/image/live.iso').at(-1)).toMatchObject({ protocol: 'ftp', method: 'RETR', outcome: 'whole', status: 226, complete: true, bytesSent: content.length });
  });

  it('serves over PASV too (curl told to use the control address instead of the announced one)', async () => {
    const result = await curl(['-f', '--disable-epsv', '--ftp-skip-pasv-ip', `ftp://127.0.0.1:${view.port}/image/live.iso`]);
    expect(result.exitCode).toBe(0);
    expect((result.stdout as Buffer).length).toBe(content.length);
  });

  it('announces the guest-side address and a forwarded guest port in its PASV reply', async () => {
    const reply = await converse(serviceSocket(publisher), ['USER anonymous', 'PASS x', 'PASV', 'QUIT']);
    // 30000 = 117 * 256 + 48
    expect(reply).toMatch(/227 Entering Passive Mode \(10,0,2,100,117,48\)/);
  });

  it.each(['/secret.txt', '/image/../secret.txt', '../../etc/passwd', '/etc/passwd'])('refuses RETR %s with 550', async (path) => {
    const reply = await converse(serviceSocket(publisher), ['USER anonymous', 'PASS x', 'TYPE I', `RETR ${path}`, 'QUIT']);
    expect(reply).toMatch(/550 /);
    expect(log.transfers.at(-1)).toMatchObject({ outcome: 'not-found', status: 550, complete: false, bytesSent: 0 });
  });

  it('refuses to change into a directory that holds nothing published', async () => {
    const reply = await converse(serviceSocket(publisher), ['USER anonymous', 'PASS x', 'CWD /etc', 'CWD ../../..', 'PWD', 'QUIT']);
    expect(reply).toMatch(/550 no such directory/);
    expect(reply).toMatch(/257 "\/" is the current directory/);
  });
});

/** Sends FTP commands one by one through the control socket, waiting for each reply; returns the whole conversation. */
function converse(socketPath: string, commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const queue = [...commands];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (/^\d{3} [^\n]*\r\n$/m.test(chunk.split('\r\n').filter(Boolean).at(-1)! + '\r\n') && queue.length) socket.write(queue.shift() + '\r\n');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => (socket.destroy(), resolve(text)), 3000);
  });
}

describe('a certificate issued by the run\'s CA (--tls-ca)', () => {
  let ca: { certPath: string; keyPath: string };
  let leaf: { certPath: string; keyPath: string };
  let stranger: { certPath: string; keyPath: string };
  beforeAll(async () => {
    const caDir = await mkdtemp(join(dir, 'ca-'));
    ca = { certPath: join(caDir, 'ca.crt'), keyPath: join(caDir, 'ca.key') };
    await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', ca.keyPath, '-out', ca.certPath]);
    stranger = await createSelfSignedCertificate(await mkdtemp(join(dir, 'stranger-')), '10.0.2.100');
    leaf = await issueCertificate(await mkdtemp(join(dir, 'leaf-')), '10.0.2.100', { ...ca, subject: 'test CA' });
  });

  it('is trusted by a client that trusts the CA alone, and refused by one that trusts another', async () => {
    const authority = await checkTlsAuthority(ca.certPath, ca.keyPath);
    expect(authority.subject).toMatch(/CN\s*=\s*test CA/);
    const tls = await issueCertificate(await mkdtemp(join(dir, 'leaf-')), '10.0.2.100', authority);
    const publisher = await startHttpPublisher(files, new TransferLog(), { tls });
    try {
      const trusted = await curl(['-f', '--cacert', ca.certPath, ...curlThrough(publisher, '/image/live.iso')]);
      expect(trusted.exitCode).toBe(0);
      expect(Buffer.compare(trusted.stdout as Buffer, content)).toBe(0);
      const refused = await curl(['-f', '-o', '/dev/null', '--cacert', stranger.certPath, ...curlThrough(publisher, '/image/live.iso')]);
      expect(refused.exitCode).toBe(60);
    } finally {
      await publisher.stop();
    }
  });

  it('refuses a certificate that is no CA, and the key of another certificate, naming the file', async () => {
    await expect(checkTlsAuthority(leaf.certPath, leaf.keyPath)).rejects.toThrow(/publisher\.crt is not a CA certificate \(no basicConstraints CA:TRUE\)/);
    await expect(checkTlsAuthority(ca.certPath, stranger.keyPath)).rejects.toThrow(/stranger-\w+\/publisher\.key is not the private key of .*ca\.crt \(their public keys differ\)/);
  });
});
