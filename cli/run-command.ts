import { DEFAULT_NETBOOT, netbootFamilyById } from '../harness/netboot/index.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { attachTerminal } from '../harness/qemu/attach-terminal.js';
import { inputError } from '../harness/errors.js';
import { inspectIso } from '../harness/iso/iso-image.js';
import { loadKnownIssues } from '../harness/engine/known-issues.js';
import { packageRoot } from '../harness/util/package-root.js';
import { fixtureIsoPath, fixtureTlsAuthority } from '../harness/iso/fixture-iso.js';
import { liveModuleById } from '../harness/live/index.js';
import { ARCHITECTURES, architectureById, DEFAULT_ARCHITECTURE } from '../harness/arch/index.js';
import { isoArchitecture } from '../harness/engine/run-target.js';
import { chooseAccel, type AccelChoice } from './choose-accel.js';
import { runProjects } from '../harness/engine/run-all.js';
import { checkOutputFolder } from '../harness/engine/output-folder.js';
import { planParallelism, RUN_DEFAULTS, runLimits, type RunOptions } from '../harness/engine/run-config.js';
import { firmwareIds } from '../harness/engine/firmware-matrix.js';
import { makeReporters, parseReporters } from './run-reporters.js';
import { runMeta } from './run-meta.js';
import { parseThreshold, readBaseline } from './baseline-file.js';
import { baselineLines, compareWithBaseline, type Baseline } from '../harness/report/baseline.js';
import type { ScenarioResult } from '../harness/scenario/result.js';
import { blameConfig, explicitFlags, loadConfig, mergeConfig, type LoadedConfig } from './config-file.js';
import { projectOutDir, projectRequests, type ProjectRequest } from './run-projects.js';
import { boundedInteger, oneOf, parseFirmware, parseLogin, pathOption, tlsAuthorityOption } from './flags.js';
import { checkTlsAuthority } from '../harness/publish/tls-certificate.js';
import { selectScenarios, SELECTION_FLAGS } from './select-scenarios.js';
import { exitCodeFor } from './exit-code.js';
import { reportsNotWritten } from './reports-written.js';
import { commandArgs } from './command-args.js';
import { showUsage } from './usage.js';

const RUN_FLAGS = {
  iso: { type: 'string', multiple: true },
  ...SELECTION_FLAGS,
  out: { type: 'string', default: 'out' },
  login: { type: 'string' },
  'boot-timeout-s': { type: 'string' },
  'memory-mb': { type: 'string' },
  cpus: { type: 'string' },
  'keep-temp': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  jobs: { type: 'string' },
  retries: { type: 'string' },
  'debug-rerun': { type: 'string', default: 'on' },
  'max-failures': { type: 'string' },
  accel: { type: 'string', default: 'auto' },
  'tcg-thread': { type: 'string', default: 'multi' },
  'known-issues': { type: 'string' },
  firmware: { type: 'string' },
  netboot: { type: 'string', default: DEFAULT_NETBOOT },
  'live-module': { type: 'string' },
  arch: { type: 'string' },
  config: { type: 'string' },
  reporter: { type: 'string' },
  baseline: { type: 'string' },
  'regression-threshold': { type: 'string' },
  'tls-ca': { type: 'string' },
  project: { type: 'string', multiple: true },
} as const;

type RunFlags = ReturnType<typeof parseArgs<{ args: string[]; options: typeof RUN_FLAGS; strict: true }>>['values'];

/** What `run` was asked for, every input checked; nothing started, no file made. */
interface RunRequest {
  /** The project's name (its folder below --out); none for a run of one ISO. */
  name?: string;
  options: Omit<RunOptions, 'isoPath' | 'reporters' | 'signal'>;
  isoOption: string | undefined;
  /** What the boots side by side are planned from: the run's plan counts every project's. */
  parallel: { jobs: number | undefined; cpus: number | undefined; runs: number; memoryMb: number | undefined };
  accel: AccelChoice;
  /** The names of the run's reporters (RUN_REPORTERS). */
  reporters: string[];
  baseline: Baseline | undefined;
}

/**
 * Every input checked first, cheapest first, and nothing here starts a process or makes a file
 * or folder: a bad value is exit 2 at once, before the slow steps (the KVM probe, the fixture ISO
 * build) and before any boot.
 */
async function checkRunRequest({ name, values, selection }: ProjectRequest<RunFlags>): Promise<RunRequest> {
  const firmware = values.firmware === undefined ? undefined : parseFirmware(values.firmware);
  const reporters = parseReporters(values.reporter);
  const netboot = netbootFamilyById(values.netboot);
  const liveModule = values['live-module'] === undefined ? undefined : liveModuleById(values['live-module']).id;
  const arch = values.arch === undefined ? undefined : oneOf('arch', values.arch, Object.keys(ARCHITECTURES), 'leave --arch out (the ISO says which), or pass an architecture the harness boots');
  const scenarios = await selectBoth(values, selection);
  const credentials = parseLogin(values.login);
  const limits = runLimits();
  const bootTimeoutS = boundedInteger('boot-timeout-s', values['boot-timeout-s'], limits.bootTimeoutS, RUN_DEFAULTS.bootTimeoutMs / 1000);
  const memoryMb = boundedInteger('memory-mb', values['memory-mb'], limits.memoryMb, RUN_DEFAULTS.memoryMb);
  const requestedCpus = boundedInteger('cpus', values.cpus, limits.cpus, limits.cpus.max > 1 ? 2 : 1);
  const requestedJobs = boundedInteger('jobs', values.jobs, limits.jobs, 2);
  const retries = boundedInteger('retries', values.retries, limits.retries, RUN_DEFAULTS.retries);
  const maxFailures = boundedInteger('max-failures', values['max-failures'], limits.maxFailures, 1);
  const accel = oneOf('accel', values.accel, ['auto', 'tcg', 'kvm'] as const, 'pass --accel auto (probe KVM, fall back to TCG)');
  const debugRerun = oneOf('debug-rerun', values['debug-rerun'], ['on', 'off'] as const, 'pass --debug-rerun on (the default) or off') === 'on';
  const tcgThread = oneOf('tcg-thread', values['tcg-thread'], ['multi', 'single'] as const, 'pass --tcg-thread multi (the default) or single');
  const isoOption = pathOption('iso', values.iso?.[0], 'a live ISO file');
  const knownIssuesPath = pathOption('known-issues', values['known-issues'], 'a known-issues JSON file') ?? join(packageRoot(), 'known-issues.json');
  const knownIssues = await loadKnownIssues(knownIssuesPath);
  const tlsAuthority = await tlsAuthorityOption(values['tls-ca']);
  // An ISO that is not one (or only the start of one) is refused before anything slow happens.
  const inspectedIso = isoOption === undefined ? undefined : await inspectIso(isoOption);
  // The output folder last: it only checks (runScenarios makes it), so a refusal leaves nothing.
  const outDir = projectOutDir(values.out, name);
  await checkOutputFolder(outDir);
  const parallel = { jobs: requestedJobs, cpus: requestedCpus, runs: scenarios.length * firmwareIds(firmware, arch ? architectureById(arch) : undefined).length, memoryMb };
  const options: RunRequest['options'] = {
    scenarios, outDir, firmware, netboot, tcgThread, knownIssues, keepTemp: values['keep-temp'], debugRerun,
    ...(inspectedIso ? { inspectedIso } : {}),
    ...(credentials ? { credentials } : {}),
    ...(bootTimeoutS ? { bootTimeoutMs: bootTimeoutS * 1000 } : {}),
    ...(memoryMb ? { memoryMb } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(maxFailures !== undefined ? { maxFailures } : {}),
    ...(liveModule ? { liveModule } : {}),
    ...(arch ? { arch } : {}),
    ...(tlsAuthority ? { tlsAuthority } : {}),
    ...(values.keep ? { attach: { when: 'failed' as const, terminal: attachTerminal } } : {}),
  };
  const baseline = await readBaseline(pathOption('baseline', values.baseline, 'an earlier results.json'), parseThreshold(values['regression-threshold']));
  return { ...(name ? { name } : {}), options, isoOption, accel, reporters, baseline, parallel };
}

/** The scenarios the run's flags select and, for a config's project, its own selection too. */
async function selectBoth(values: RunFlags, selection: ProjectRequest<RunFlags>['selection']) {
  const scenarios = await selectScenarios(values);
  if (!selection) return scenarios;
  const own = new Set((await selectScenarios(selection)).map((s) => s.name));
  return scenarios.filter((s) => own.has(s.name));
}

/**
 * What stops a run: Ctrl-C (SIGINT), a service manager or CI timeout (SIGTERM), and the terminal or
 * ssh session it runs in closing (SIGHUP, whose default would end the process without stopping
 * QEMU, which leads a process group and session of its own, nor its relays). Each ends the run
 * with exit 130, the one "interrupted" code of the CLI.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * First signal: stop the boot and clean up in order. Second: exit now; the exit hooks still kill
 * QEMU's process group and tmp's graceful cleanup removes the temp dirs.
 */
function stopOnSignals(): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the boot and cleaning up (again to quit at once)\n`);
    controller.abort(new Error(`${signal} to the harness`));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return controller;
}

/**
 * Every project's request checked (its values blamed on the config where they came from), those
 * that select no scenario left out, and the boots side by side planned from all of them at once:
 * one pool boots every project's scenarios.
 */
async function checkRunRequests(values: RunFlags, explicit: ReadonlySet<string>, config: LoadedConfig | undefined): Promise<RunRequest[]> {
  const checked: RunRequest[] = [];
  let projects: ReturnType<typeof projectRequests<RunFlags>>;
  try {
    projects = projectRequests(values, explicit, config);
  } catch (error) {
    throw blameConfig(error, config, explicit);
  }
  for (const project of projects) {
    checked.push(await checkRunRequest(project).catch((error: unknown) => {
      throw blameConfig(error, config, explicit, project.configIndex);
    }));
  }
  const requests = checked.filter((r) => r.options.scenarios.length);
  if (!requests.length) throw inputError('no project of the run selects a scenario: the command line and the projects select none in common', '--scenario/--grep with projects', 'select scenarios that the projects list (pxe-harness list)');
  if (requests.length > 1 && requests.some((r) => r.baseline)) throw inputError('--baseline compares one ISO\'s run with an earlier one, and this run has several projects', '--baseline', 'pick one project with --project NAME, or compare each project folder\'s results.json in a run of its own');
  const { jobs, cpus, memoryMb } = requests[0]!.parallel;
  const plan = planParallelism({ jobs, cpus, memoryMb, scenarios: requests.reduce((n, r) => n + r.parallel.runs, 0) });
  for (const r of requests) Object.assign(r.options, plan);
  return requests;
}

/**
 * The slow steps of a project before its boots: the built-in fixture when it names no ISO (with
 * the CA the fixture trusts, unless the run names one), and the accelerator (KVM probed under each
 * of its firmwares, for an ISO of the host's architecture). undefined when a signal stopped the
 * run meanwhile.
 */
async function prepareProject(request: RunRequest, signal: AbortSignal): Promise<{ accel: 'tcg' | 'kvm'; isoPath: string } | undefined> {
  try {
    const isoPath = request.isoOption ?? (await fixtureIsoPath(request.options.liveModule ? { module: request.options.liveModule } : {}));
    // The ISO's architecture decides whether KVM can run it at all. An ISO that cannot be listed is
    // probed as x86_64's: the engine then refuses it with the reason.
    const arch = await isoArchitecture(isoPath, request.options.arch).catch(() => DEFAULT_ARCHITECTURE);
    const accel = await chooseAccel(request.accel, request.options.firmware, arch);
    if (signal.aborted) return undefined;
    if (!request.isoOption && !request.options.tlsAuthority) {
      const fixtureCa = await fixtureTlsAuthority(isoPath);
      if (fixtureCa) request.options.tlsAuthority = await checkTlsAuthority(fixtureCa.certPath, fixtureCa.keyPath);
    }
    return signal.aborted ? undefined : { accel, isoPath };
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  }
}

/** `run`: every project's request checked, then the slow steps (a signal during them stops the run before a boot), then the boots in one pool. */
export async function runCommand(argv: string[]): Promise<number> {
  const args = commandArgs('run', argv, RUN_FLAGS);
  if (args === 'help') return showUsage();
  const { values: given } = parseArgs({ args, options: RUN_FLAGS, strict: true, allowPositionals: false });
  // Listening before the request is checked: a signal from the first milliseconds on ends the
  // run with 130 (checking starts nothing, so there is nothing to stop yet).
  const controller = stopOnSignals();
  const explicit = explicitFlags(args);
  const config = await loadConfig(given.config);
  const requests = await checkRunRequests(mergeConfig(given, explicit, config), explicit, config);
  const projects: RunOptions[] = [];
  for (const request of requests) {
    if (controller.signal.aborted) return 130;
    const prepared = await prepareProject(request, controller.signal);
    if (!prepared) return 130;
    const meta = { iso: prepared.isoPath, ...(request.name ? { project: request.name } : {}), ...(await runMeta(request.options.inspectedIso ?? prepared.isoPath)) };
    const reporters = makeReporters(request.reporters, request.options.outDir, meta, request.baseline);
    projects.push({ ...request.options, ...prepared, reporters, signal: controller.signal });
  }
  const { jobs, maxFailures } = projects[0]!;
  const results = await runProjects(projects, { jobs: jobs ?? 1, maxFailures: maxFailures ?? 0, signal: controller.signal });
  if (controller.signal.aborted) return 130;
  const codes = await Promise.all(requests.map((request, i) => projectExitCode(request, results[i] ?? [])));
  return Math.max(...codes);
}

/** A project's exit code: 2 when its reports were not written whole, 1 when a scenario failed or a phase regressed past the baseline. */
async function projectExitCode(request: RunRequest, results: ScenarioResult[]): Promise<number> {
  // results.json is the run's record: checked whole where the run writes it.
  const lost = request.reporters.includes('json') ? await reportsNotWritten(request.options.outDir) : undefined;
  if (lost) process.stderr.write(`pxe-harness: the run ended, but its reports were not written whole: ${lost} (exit 2; the reporters' warnings above say why)\n`);
  const regressed = request.baseline ? reportBaseline(results, request.baseline) : false;
  return Math.max(lost ? 2 : 0, regressed ? 1 : 0, exitCodeFor(results));
}

/** The comparison with the baseline on the terminal; true when a phase regressed beyond the threshold (the run then fails). */
function reportBaseline(results: ScenarioResult[], baseline: Baseline): boolean {
  const comparison = compareWithBaseline(results, baseline, baseline.thresholdPct);
  process.stdout.write(`${baselineLines(comparison).join('\n')}\n`);
  return comparison.regressions.length > 0;
}
