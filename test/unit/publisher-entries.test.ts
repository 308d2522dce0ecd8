import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aoeUnavailable } from '../../harness/publish/aoe-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import { KNOWN_PROTOCOLS, PUBLISHERS, publisherUnavailable } from '../../harness/publish/registry.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { guestIsHermetic, type BootContext } from '../../harness/scenario/index.js';
import { GuestView } from '../helpers/guest-view.js';

// The registry's entries: what defineScenario, the engine, doctor and guestIsHermetic ask of a protocol.
let dir: string;
let files: PublishedFiles;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-entries-test-'));
  await writeFile(join(dir, 'live.iso'), Buffer.alloc(100_000, 3));
  files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'live.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('publisher entries', () => {
  it('are keyed by their own protocol; the known protocols add the unpublishable ones', () => {
    for (const [key, entry] of Object.entries(PUBLISHERS)) expect(entry.protocol).toBe(key);
    expect(KNOWN_PROTOCOLS).toEqual(['http', 'https', 'ftp', 'aoe', 'dolly']);
  });

  it('validate: what each protocol cannot serve, in the words of defineScenario', () => {
    const redirect = { kind: 'redirect', status: 302 } as const;
    expect(PUBLISHERS.http.validate({ fault: redirect })).toBeUndefined();
    expect(PUBLISHERS.https.validate({ fault: redirect, requestPath: '{iso}?x' })).toBeUndefined();
    expect(PUBLISHERS.ftp.validate({ fault: redirect })).toEqual({ field: 'publish.fault', value: redirect, want: 'a fault ftp can serve (a redirect is http or https only)' });
    expect(PUBLISHERS.ftp.validate({ fault: { kind: 'cut', afterBytes: 1 } })).toBeUndefined();
    expect(PUBLISHERS.aoe.validate({})).toBeUndefined();
    expect(PUBLISHERS.aoe.validate({ compressed: 'xz' })).toMatchObject({ field: 'publish', want: 'just { protocol: "aoe" } (vblade exports the ISO as it is)' });
  });

  it('unavailable: only AoE depends on the host; hostTools name what doctor looks for', () => {
    expect(['http', 'https', 'ftp'].map((p) => PUBLISHERS[p as 'http'].unavailable())).toEqual([undefined, undefined, undefined]);
    expect(publisherUnavailable('aoe')).toBe(aoeUnavailable());
    expect(PUBLISHERS.https.hostTools).toEqual(['openssl']);
    expect(PUBLISHERS.aoe.hostTools).toEqual(['vblade', 'ip']);
  });

  it('guestProbe: http keeps the HEAD probe of before; aoe has none', () => {
    const probe = PUBLISHERS.http.guestProbe!;
    expect(probe.command('http://10.0.2.100/image/x.iso')).toBe("curl -s -I -o /dev/null -w '%{http_code}' --max-time 10 http://10.0.2.100/image/x.iso ; echo");
    expect([probe.answered('200\n'), probe.answered('404\n'), probe.answered('000\n')]).toEqual([true, false, false]);
    expect([probe.describe('200\n'), probe.describe('')]).toEqual(['HTTP 200', 'HTTP no answer']);
    expect(PUBLISHERS.https.guestProbe!.command('https://h/x')).toContain(' -k ');
    expect(PUBLISHERS.aoe.guestProbe).toBeUndefined();
  });

  for (const protocol of ['http', 'https', 'ftp'] as const) {
    it(`${protocol} guestProbe, run by the real curl, answers for a published file, not a missing one, and moves no byte of it`, async () => {
      const log = new TransferLog();
      const entry = PUBLISHERS[protocol];
      // As the guest sees it (guest-view.ts); the ftp probe opens no data connection.
      const view = await GuestView.start(() => entry.start({ files, log, serviceAddress: '127.0.0.1', tempDir: dir, logDir: dir }));
      try {
        const probe = entry.guestProbe!;
        const ask = async (path: string) => (await execa('sh', ['-c', probe.command(`${protocol}://127.0.0.1:${view.port}${path}`)], { reject: false })).stdout;
        const found = await ask('/image/live.iso');
        expect(probe.answered(found)).toBe(true);
        expect(probe.describe(found)).toMatch(protocol === 'ftp' ? /^FTP SIZE 100000$/ : /^HTTP 200$/);
        expect(probe.answered(await ask('/image/missing.iso'))).toBe(false);
        expect(log.transfers.filter((t) => t.bytesSent > 0)).toEqual([]);
        // http(s) log the HEAD as one that asked about the file, not for it.
        expect(log.transfers.every((t) => t.outcome === 'described' || t.outcome === 'not-found')).toBe(true);
      } finally {
        await view.stop();
      }
    });
  }
});

describe('guestIsHermetic through the publisher entry', () => {
  const contextWith = (publisher: BootContext['publisher'], probeOutput: string) =>
    ({
      isoUrl: 'x://10.0.2.100/image/live.iso',
      publisher,
      shell: async () => ({ run: async (command: string) => ({ command, exitCode: 0, output: command.includes('curl-exit=$?') && command.includes('10.0.2.2') ? 'curl-exit=7\n' : probeOutput }) }),
    }) as unknown as BootContext;

  it('asks the forwarded publisher with its probe', async () => {
    const ok = await guestIsHermetic().run(contextWith({ protocol: 'http', guestProbe: PUBLISHERS.http.guestProbe! }, '200\n'));
    expect(ok).toMatchObject({ ok: true, detail: expect.stringMatching(/curl exit 7, canary saw 0 connection\(s\); forwarded publisher: HTTP 200$/) });
    const refused = await guestIsHermetic().run(contextWith({ protocol: 'http', guestProbe: PUBLISHERS.http.guestProbe! }, '000\n'));
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/forwarded publisher: HTTP 000$/) });
  });

  it('with no probe, judges the canary alone and says the publisher was not asked', async () => {
    const result = await guestIsHermetic().run(contextWith({ protocol: 'aoe' }, 'never asked'));
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/forwarded publisher: not asked \(aoe has no guest probe; the canary alone is judged\)$/) });
  });
});
