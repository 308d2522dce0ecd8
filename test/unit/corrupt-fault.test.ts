import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRanges, keptRanges } from '../../harness/iso/iso-digest.js';
import { startFtpPublisher } from '../../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../../harness/publish/http-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { GuestView } from '../helpers/guest-view.js';

// The corrupt fault against the real curl: the full length arrives, the log cannot tell, the bytes differ.
let dir: string;
let files: PublishedFiles;
const SIZE = 3 * 1024 * 1024 + 123;
const original = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7) & 0xff));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-corrupt-test-'));
  await writeFile(join(dir, 'live.iso'), original);
  files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'live.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(['http', 'ftp'] as const)('%s publisher, corrupt fault', (protocol) => {
  it('sends every byte, inverts exactly the chosen ones across chunk borders, and logs a complete transfer', async () => {
    const log = new TransferLog();
    const fault = { kind: 'corrupt', atByte: 65_530, count: 12 } as const;
    // Seen as the guest sees it (guest-view.ts): curl's FTP cannot use a socket.
    const view = await GuestView.start((ftp) => (protocol === 'http' ? startHttpPublisher(files, log, { fault }) : startFtpPublisher(files, log, { ...ftp, fault })));
    const out = join(dir, `got-${protocol}.iso`);
    try {
      const result = await execa('curl', ['-sS', '-f', '-o', out, `${protocol}://127.0.0.1:${view.port}/image/live.iso`], { reject: false });
      expect(result.exitCode, result.stderr).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await view.stop();
    }
    const got = await readFile(out);
    expect(got.length).toBe(SIZE);
    const differing = [...got.keys()].filter((i) => got[i] !== original[i]);
    expect(differing).toEqual(Array.from({ length: 12 }, (_, i) => 65_530 + i));
    expect(got[65_530]).toBe(original[65_530]! ^ 0xff);
    expect(log.transfers[0]).toMatchObject({ outcome: 'whole', complete: true, bytesSent: SIZE });
  });
});

describe('digests of byte ranges', () => {
  it('keptRanges cuts the excluded bytes out, in order, clipped to the size', () => {
    expect(keptRanges(1000, [{ start: 600, end: 700 }, { start: 440, end: 512 }])).toEqual([
      { start: 0, end: 440 }, { start: 512, end: 600 }, { start: 700, end: 1000 },
    ]);
    expect(keptRanges(1000, [{ start: 900, end: 1200 }])).toEqual([{ start: 0, end: 900 }]);
    expect(keptRanges(1000, [])).toEqual([{ start: 0, end: 1000 }]);
  });

  it('digestRanges equals sha256sum of the same bytes cut out by dd', async () => {
    const path = join(dir, 'live.iso');
    const ranges = keptRanges(SIZE, [{ start: 440, end: 512 }]);
    const dd = ranges.map((r) => `dd if=${path} iflag=skip_bytes,count_bytes skip=${r.start} count=${r.end - r.start} bs=4M status=none`).join('; ');
    const { stdout } = await execa('sh', ['-c', `{ ${dd}; } | sha256sum`]);
    expect(await digestRanges(path, ranges)).toBe(stdout.slice(0, 64));
  });
});
