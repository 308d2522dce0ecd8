import { firmwareMissing, firmwaresOf } from '../firmware/index.js';
import { netbootPathUnsupported } from '../netboot/index.js';
import { unprovenDeliveries } from './delivery-proof.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { createDisk, type DiskImage } from '../disk/disk-image.js';
import { compressedCopy, fetchPathOf } from '../publish/compressed-copy.js';
import { PublishedFiles } from '../publish/published-files.js';
import { liveSourceOf, type Publisher } from '../publish/publisher.js';
import { isPublishable, PUBLISHERS, publisherUnavailable, startPublisher, UNPUBLISHABLE, type PublishProtocol } from '../publish/registry.js';
import { TransferLog } from '../publish/transfer-log.js';
import { SERVICE_ADDRESS } from '../qemu/guest-network.js';
import type { LiveImageFacts } from '../live/live-module.js';
import { initrdHasModule } from '../iso/live-image-facts.js';
import type { RunEnvironment } from './environment.js';
import { worstVerdict, type BootResult, type ScenarioResult, type Verdict } from '../scenario/result.js';
import { runBoot } from './run-boot.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';
import { TeardownStack } from './teardown.js';
import { describeWriteError } from '../util/write-error.js';
import { reasonOf, verdictOf } from './verdict-rules.js';

/**
 * Runs one scenario: publish, then each boot in order; a failed boot ends the scenario. With
 * `notRun` (the run stopped starting scenarios) it is SKIPPED as not run, saying why.
 */
export async function runScenario(scenario: ScenarioDefinition, env: RunEnvironment, notRun?: string): Promise<ScenarioResult> {
  const started = Date.now();
  const artifactsDir = join(env.outDir, scenario.name);
  env.observer?.onScenarioStart?.(scenario);
  const boots: BootResult[] = [];
  const result = (verdict: Verdict, reason: string): ScenarioResult => ({
    name: scenario.name, summary: scenario.summary, verdict, reason, durationMs: Date.now() - started, startedAt: new Date(started).toISOString(),
    firmware: env.firmware.id, architecture: env.arch.id,
    ...(scenario.sourceFile ? { sourceFile: scenario.sourceFile } : {}), boots, artifactsDir,
  });
  const teardown = new TeardownStack();
  let outcome: ScenarioResult;
  const notApplicable = notRun ? undefined : whyNotApplicable(scenario, env);
  try {
    // In the try: a folder that cannot be made (a full disk) is this scenario's ERROR, not the run's end.
    await rm(artifactsDir, { recursive: true, force: true });
    await mkdir(artifactsDir, { recursive: true });
    if (notRun ?? notApplicable) {
      outcome = result('SKIP', notRun ? `not run: ${notRun}` : `does not apply: ${notApplicable}`);
      return await finishScenario(outcome, artifactsDir, env);
    }
    await runBoots(scenario, env, artifactsDir, teardown, boots);
    const verdict = worstVerdict(boots.map((b) => b.verdict));
    const failed = boots.find((b) => b.verdict !== 'PASS');
    const unfinished = boots.length < scenario.boots.length ? ` (boots ${boots.length + 1}-${scenario.boots.length} not run)` : '';
    outcome = result(verdict, failed ? `boot ${boots.indexOf(failed) + 1} (${failed.name}): ${failed.reason}${unfinished}` : `all ${boots.length} boot(s) passed${unprovenDeliveries(boots)}`);
  } catch (error) {
    outcome = result(verdictOf(error), reasonOf(error));
  } finally {
    await teardown.runAll();
  }
  if (teardown.errors.length) {
    const text = teardown.errors.map((e) => `${e.name}: ${(e.error as Error).message}`).join('; ');
    outcome = { ...outcome, verdict: worstVerdict([outcome.verdict, 'ERROR']), reason: `${outcome.reason}; teardown failed: ${text}` };
  }
  return finishScenario(outcome, artifactsDir, env);
}

/** Whether the ISO's initrd carries the protocol's client, said for the reason of a SKIP. */
const clientInInitrd = (protocol: string, live: LiveImageFacts) =>
  live.initrdFiles.some((f) => f.endsWith(`bin/${protocol}`)) ? `; this ISO's initrd has a ${protocol} client` : `; nor does this ISO's initrd carry a ${protocol} client`;

/**
 * Why the scenario cannot run on this ISO and firmware, if it cannot: the harness's own rules (the
 * firmware's word on a disk written from this ISO, for a scenario with a disk boot), then the
 * scenario's.
 */
export type ApplicabilityTarget = Pick<RunEnvironment, 'iso' | 'arch' | 'firmware' | 'liveModule' | 'netboot' | 'tlsAuthority'>;

export function whyNotApplicable(scenario: ScenarioDefinition, env: ApplicabilityTarget): string | undefined {
  const secureBootFirmwares = firmwaresOf(env.arch.id).filter((f) => f.secureBoot).map((f) => f.id);
  const target = { iso: env.iso, firmware: env.firmware.id, secureBoot: env.firmware.secureBoot, arch: env.arch.id, secureBootFirmwares, liveModule: env.liveModule };
  const { protocol } = scenario.publish;
  const noFirmware = firmwareMissing(env.firmware, env.arch.id);
  if (noFirmware) return noFirmware;
  if (!isPublishable(protocol)) return `it publishes the ISO over ${protocol}, and ${UNPUBLISHABLE[protocol]}${clientInInitrd(protocol, env.iso.live)}`;
  const unavailable = publisherUnavailable(protocol);
  if (unavailable) return `it publishes the ISO over ${protocol}, and ${unavailable}`;
  const driver = PUBLISHERS[protocol].guestKernelModule;
  if (driver && !initrdHasModule(env.iso.live, driver)) return `it publishes the ISO over ${protocol}, which the guest reaches through the kernel's ${driver} driver, and this ISO's initrd carries none (no ${driver}.ko, not built in)`;
  if (scenario.publish.trustedCertificate && !env.tlsAuthority) return `it publishes the ISO over ${protocol} with a certificate of a CA the ISO trusts, and the run was given none (--tls-ca CERT,KEY)`;
  const network = scenario.boots.filter((b) => b.from === 'network');
  const path = network.length ? netbootPathUnsupported(env.firmware.id, env.netboot, env.iso.boot, network.map((b) => b.loader ?? 'tftp'), env.arch.id) : undefined;
  if (path) return path;
  if (scenario.boots.some((b) => b.from === 'disk')) {
    const why = env.firmware.diskBootUnsupported(env.iso.boot);
    if (why) return why;
  }
  return whyLiveModuleCannot(scenario, env, protocol) ?? scenario.appliesTo?.(target);
}

/**
 * Why the ISO's live module cannot do what the scenario's network boots ask of it, if it cannot,
 * asked before anything starts: the options of each boot and the kind of source the scenario's
 * publisher offers (a module need not boot from every kind: dmsquash boots no AoE target).
 */
function whyLiveModuleCannot(scenario: ScenarioDefinition, env: ApplicabilityTarget, protocol: PublishProtocol): string | undefined {
  const { compressed } = scenario.publish;
  const { sourceKind } = PUBLISHERS[protocol];
  const fetchFileName = posix.basename(fetchPathFor(scenario, publishedPath(scenario, env.iso.path)).split('?')[0]!);
  for (const boot of scenario.boots.filter((b) => b.from === 'network')) {
    const why = env.liveModule.unsupported({ ...boot.live, ...(compressed ? { fetchCompressed: compressed } : {}), fetchFileName }, env.iso.live, sourceKind);
    if (why) return `${env.liveModule.id} boots this ISO, and ${why}`;
  }
  return undefined;
}

/**
 * The scenario's result.json, then its verdict to the observers. A result.json that cannot be
 * written (a full disk) makes the verdict an ERROR that names the file; the run goes on.
 */
async function finishScenario(outcome: ScenarioResult, artifactsDir: string, env: RunEnvironment): Promise<ScenarioResult> {
  const filePath = join(artifactsDir, 'result.json');
  const failed = await writeFile(filePath, JSON.stringify(outcome, null, 2)).then(() => undefined, (error: Error) => ({ filePath, error }));
  const final = failed ? { ...outcome, verdict: worstVerdict([outcome.verdict, 'ERROR']), reason: `${outcome.reason}; ${describeWriteError(failed)}` } : outcome;
  env.observer?.onScenarioEnd?.(final);
  return final;
}

/**
 * The scenario's temp dir, publisher and disks, then its boots in order until one does not pass.
 */
async function runBoots(scenario: ScenarioDefinition, env: RunEnvironment, artifactsDir: string, teardown: TeardownStack, boots: BootResult[]): Promise<void> {
  const temp = await tmpDir({ prefix: 'pxe-harness-', unsafeCleanup: true });
  if (!env.keepTemp) teardown.add('remove the temp dir', () => temp.cleanup());
  const isoUrlPath = publishedPath(scenario, env.iso.path);
  const publisher = await publishIso(scenario, env, isoUrlPath, artifactsDir, temp.path);
  teardown.add('stop the publisher', () => publisher.stop());
  const fetchPath = fetchPathFor(scenario, isoUrlPath);
  const source = liveSourceOf(publisher, SERVICE_ADDRESS, fetchPath);
  const disks: DiskImage[] = [];
  for (const spec of scenario.disks ?? []) disks.push(await createDisk(temp.path, spec));
  const state = new Map<string, string>();
  const isoUrl = publisher.url(SERVICE_ADDRESS, fetchPath);
  for (const [index, boot] of scenario.boots.entries()) {
    env.observer?.onBootStart?.(scenario, boot, index);
    const bootResult = await runBoot({
      scenario, boot, index, env, publisher, disks, state, source, isoUrl,
      runtimeDir: join(temp.path, `boot-${index}`),
      artifactsDir: join(artifactsDir, `boot-${index + 1}-${slug(boot.name)}`),
      iso: { hostPath: env.iso.path, urlPath: isoUrlPath, sizeBytes: env.iso.sizeBytes, volumeId: env.iso.volumeId },
    });
    boots.push(bootResult);
    env.observer?.onBootEnd?.(scenario, bootResult);
    if (bootResult.verdict !== 'PASS' && bootResult.verdict !== 'XPASS') break;
  }
}

/** The ISO on the scenario's publisher, which owns the transfer log (transfers.jsonl) from here on. */
async function publishIso(scenario: ScenarioDefinition, env: RunEnvironment, urlPath: string, artifactsDir: string, tempDir: string): Promise<Publisher> {
  const { compressed } = scenario.publish;
  const copy = compressed ? [{ urlPath: fetchPathOf(urlPath, compressed), filePath: await compressedCopy(env.iso.path, compressed) }] : [];
  const files = await PublishedFiles.of([{ urlPath, filePath: env.iso.path }, ...copy]);
  const log = new TransferLog(join(artifactsDir, 'transfers.jsonl'));
  log.on('progress', (p) => env.observer?.onTransferProgress?.(scenario, p.path, p.bytesSent));
  const { protocol, fault, trustedCertificate } = scenario.publish;
  if (!isPublishable(protocol)) throw new RangeError(`no publisher for ${protocol}: ${UNPUBLISHABLE[protocol]}`);
  const tlsAuthority = trustedCertificate ? env.tlsAuthority : undefined;
  return startPublisher(protocol, { files, log, serviceAddress: SERVICE_ADDRESS, tempDir, logDir: artifactsDir, ...(fault ? { fault } : {}), ...(tlsAuthority ? { tlsAuthority } : {}) });
}

/**
 * The ISO's path on the publisher: the scenario's file name, else the ISO file's own with `.iso`
 * added when it lacks it (an ISO is one, whatever its file is called: dmsquash's livenet boots a
 * download as an ISO only under such a name).
 */
function publishedPath(scenario: ScenarioDefinition, isoFile: string): string {
  const own = basename(isoFile);
  return `/image/${scenario.publish.fileName ?? (own.endsWith('.iso') ? own : `${own}.iso`)}`;
}

/** The path the boot entry asks for: the scenario's requestPath (`{iso}` the ISO's path), else the ISO's, compressed when published so. */
const fetchPathFor = (scenario: ScenarioDefinition, isoUrlPath: string): string =>
  scenario.publish.requestPath?.replaceAll('{iso}', isoUrlPath) ?? fetchPathOf(isoUrlPath, scenario.publish.compressed);

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
