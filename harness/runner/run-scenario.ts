import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import type { Credentials } from '../console/serial-shell.js';
import { createDisk, type DiskImage } from '../disk/disk-image.js';
import type { IsoInfo } from '../iso/iso-image.js';
import type { LoaderFiles } from '../iso/loader-files.js';
import type { PublishFault } from '../publish/faults.js';
import { startFtpPublisher } from '../publish/ftp-publisher.js';
import { startHttpPublisher } from '../publish/http-publisher.js';
import { PublishedFiles } from '../publish/published-files.js';
import type { Publisher } from '../publish/publisher.js';
import { createSelfSignedCertificate } from '../publish/tls-certificate.js';
import { TransferLog, type PublishProtocol } from '../publish/transfer-log.js';
import type { StartedMachine } from '../qemu/machine.js';
import type { Reporter } from '../report/reporter.js';
import type { KnownIssue } from './known-issues.js';
import { worstVerdict, type BootResult, type ScenarioResult, type Verdict } from './result.js';
import { PUBLISH_ADDRESS, reasonOf, runBoot, verdictOf } from './run-boot.js';
import type { ScenarioDefinition } from './scenario.js';
import { TeardownStack } from './teardown.js';

export { PUBLISH_ADDRESS };

export interface RunEnvironment {
  iso: IsoInfo;
  /** Kernel and initrd taken out of the ISO once per run. */
  loader: LoaderFiles;
  /** The run's output folder; each scenario gets a folder below it. */
  outDir: string;
  credentials: Credentials;
  machine: { memoryMb: number; cpus: number; accel: 'tcg' | 'kvm' };
  /** Default longest time from QEMU's start to the login prompt. */
  bootTimeoutMs: number;
  /** A boot whose console stays silent this long has hung (default 120 s). */
  silenceMs?: number;
  /** Known defects: a boot failing as one of them is XFAIL, passing despite one is XPASS. */
  knownIssues?: readonly KnownIssue[];
  /** Keep the scenario's temp dir (TFTP root, sockets) for inspection. */
  keepTemp?: boolean;
  /**
   * Hand a boot's console to the user's terminal: 'failed' on a failed boot (run --keep), or a
   * boot index (reproduce), which is then booted without checks. Returns when the user quits.
   */
  attach?: { when: 'failed' | number; terminal: (machine: StartedMachine) => Promise<unknown> };
  reporter?: Reporter;
  signal?: AbortSignal;
}

/** Runs one scenario: publish, then each boot in order; a failed boot ends the scenario. */
export async function runScenario(scenario: ScenarioDefinition, env: RunEnvironment): Promise<ScenarioResult> {
  const started = Date.now();
  const artifactsDir = join(env.outDir, scenario.name);
  await rm(artifactsDir, { recursive: true, force: true });
  await mkdir(artifactsDir, { recursive: true });
  env.reporter?.onScenarioStart?.(scenario);
  const boots: BootResult[] = [];
  const result = (verdict: Verdict, reason: string): ScenarioResult => ({
    name: scenario.name,
    summary: scenario.summary,
    verdict,
    reason,
    durationMs: Date.now() - started,
    boots,
    artifactsDir,
  });

  const teardown = new TeardownStack();
  let outcome: ScenarioResult;
  try {
    const temp = await tmpDir({ prefix: 'pxe-harness-', unsafeCleanup: true });
    if (!env.keepTemp) teardown.add('remove the temp dir', () => temp.cleanup());

    const isoUrlPath = `/image/${basename(env.iso.path)}`;
    const files = await PublishedFiles.of([{ urlPath: isoUrlPath, filePath: env.iso.path }]);
    const transfers = new TransferLog(join(artifactsDir, 'transfers.jsonl'));
    transfers.on('progress', (p) => env.reporter?.onTransferProgress?.(scenario, p.path, p.bytesSent));
    const publisher = await startPublisher(scenario.publish.protocol, files, transfers, temp.path, scenario.publish.fault);
    teardown.add('stop the publisher', () => publisher.stop());
    const requestPath = scenario.publish.requestPath ?? isoUrlPath;

    const disks: DiskImage[] = [];
    for (const spec of scenario.disks ?? []) disks.push(await createDisk(temp.path, spec));
    const state = new Map<string, string>();
    for (const [index, boot] of scenario.boots.entries()) {
      env.reporter?.onBootStart?.(scenario, boot, index);
      const bootResult = await runBoot({
        scenario, boot, index, env, publisher, transfers, disks, state,
        runtimeDir: join(temp.path, `boot-${index}`),
        artifactsDir: join(artifactsDir, `boot-${index + 1}-${slug(boot.name)}`),
        isoUrl: publisher.url(PUBLISH_ADDRESS, requestPath),
        iso: { urlPath: isoUrlPath, sizeBytes: env.iso.sizeBytes, volumeId: env.iso.volumeId },
      });
      boots.push(bootResult);
      env.reporter?.onBootEnd?.(scenario, bootResult);
      if (bootResult.verdict !== 'PASS' && bootResult.verdict !== 'XPASS') break;
    }
    const verdict = worstVerdict(boots.map((b) => b.verdict));
    const failed = boots.find((b) => b.verdict !== 'PASS');
    const unfinished = boots.length < scenario.boots.length ? ` (boots ${boots.length + 1}-${scenario.boots.length} not run)` : '';
    outcome = result(verdict, failed ? `boot ${boots.indexOf(failed) + 1} (${failed.name}): ${failed.reason}${unfinished}` : `all ${boots.length} boot(s) passed`);
  } catch (error) {
    outcome = result(verdictOf(error), reasonOf(error));
  } finally {
    await teardown.runAll();
  }
  if (teardown.errors.length) {
    const text = teardown.errors.map((e) => `${e.name}: ${(e.error as Error).message}`).join('; ');
    outcome = { ...outcome, verdict: worstVerdict([outcome.verdict, 'ERROR']), reason: `${outcome.reason}; teardown failed: ${text}` };
  }
  await writeFile(join(artifactsDir, 'result.json'), JSON.stringify(outcome, null, 2));
  env.reporter?.onScenarioEnd?.(outcome);
  return outcome;
}

async function startPublisher(protocol: PublishProtocol, files: PublishedFiles, log: TransferLog, tempDir: string, fault?: PublishFault): Promise<Publisher> {
  const faults = fault ? { fault } : {};
  switch (protocol) {
    case 'http':
      return startHttpPublisher(files, log, faults);
    case 'https':
      return startHttpPublisher(files, log, { ...faults, tls: await createSelfSignedCertificate(tempDir, PUBLISH_ADDRESS) });
    case 'ftp':
      return startFtpPublisher(files, log, { announcedAddress: PUBLISH_ADDRESS, ...faults });
  }
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
