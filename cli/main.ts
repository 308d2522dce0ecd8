#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setGracefulCleanup } from 'tmp-promise';
import { attachTerminal } from '../harness/qemu/attach-terminal.js';
import { hostError, inputError, isHarnessError } from '../harness/errors.js';
import { cachedProbeKvm } from '../harness/qemu/accel-cache.js';
import { inspectIso } from '../harness/iso/iso-image.js';
import { loadKnownIssues } from '../harness/engine/known-issues.js';
import { packageRoot } from '../harness/util/package-root.js';
import { examineHost, formatFindings } from './doctor.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { conformanceReporter } from '../harness/report/conformance.js';
import { htmlReporter } from '../harness/report/html-reporter.js';
import { jsonReporter } from '../harness/report/json-reporter.js';
import { junitReporter } from '../harness/report/junit-reporter.js';
import { terminalReporter } from '../harness/report/terminal-reporter.js';
import { FIRMWARES } from '../harness/firmware/index.js';
import { liveModuleById } from '../harness/live/index.js';
import { splitFirmware, type FirmwareChoice } from '../harness/engine/firmware-matrix.js';
import { checkOutputFolder, outOfLimit, planParallelism, runLimits, runScenarios, type RunLimit } from '../harness/engine/run-all.js';
import type { ScenarioResult } from '../harness/scenario/result.js';
import type { ScenarioDefinition } from '../harness/scenario/define-scenario.js';
import { loadScenarioFiles } from '../harness/scenario/scenario-files.js';
import { SCENARIOS } from '../scenarios/index.js';
import { initScenarioFile } from './init.js';

const USAGE = `usage:
  pxe-harness run [--iso PATH] [--scenario NAME]... [--out DIR] [--login USER:PASSWORD]
                  [--boot-timeout-s N] [--memory-mb N] [--cpus N] [--keep-temp] [--shard I/N] [--keep] [--jobs N]
                  [--accel auto|tcg|kvm] [--tcg-thread multi|single] [--known-issues FILE] [--firmware bios|uefi|both]
                  [--scenarios FILE|DIR]... [--live-module kiwi-live|dmsquash]
  pxe-harness list [--scenarios FILE|DIR]...
  pxe-harness init [FILE]
  pxe-harness doctor
  pxe-harness reproduce DIR [--out DIR]

run     boots each scenario (all by default) and prints one line per scenario:
        verdict, name, seconds, reason. Without --iso it uses the built-in fixture ISO
        (built on first use by images/build-fixture.sh, as root).
        Exit status: 0 all passed, 1 a scenario failed, 2 bad input or a broken host.
        --accel auto (default) probes whether KVM really runs a guest and falls back to TCG;
        kvm fails (exit 2) when it does not; tcg skips the probe.
        --tcg-thread single runs every vCPU of a TCG boot on one host thread (QEMU's
        -accel tcg,thread=single; default multi): see docs/benchmarks.md for the kernel
        text-patching race that multi-threaded TCG can lose.
        --known-issues FILE (default: known-issues.json of the package) lists known defects:
        a boot failing as listed is XFAIL (exit 0), passing despite it is XPASS (exit 1).
        --jobs N boots N scenarios side by side (default: one per core, as memory allows), each
        with cores/N vCPUs unless --cpus says otherwise.
        --shard I/N runs every N-th scenario starting with the I-th, for a CI matrix.
        --firmware bios (default: SeaBIOS + pxelinux, the seed's setup), uefi (OVMF + GRUB for
        EFI), or both: every scenario once per firmware, reported as NAME@bios and NAME@uefi.
        --live-module: which dracut module boots the ISO is read from its initrd (kiwi-live for
        flags="overlay", dmsquash for flags="dmsquash"); this option overrides it and must agree.
        Without --iso it picks the built-in fixture of that module. Scenarios that ask for what
        the module does not do (a disk deploy on dmsquash, rd.live.ram on kiwi-live) are SKIPPED.
        --memory-mb N: guest memory, 256 up to the host's memory (default 3072); --cpus N: vCPUs
        per boot, at most the host's cores; --boot-timeout-s N: 1 to 86400 (default 600).
        Every option, the ISO and the --out folder are checked before anything starts.
        Reports: results.json, junit.xml, report.html and conformance.md (the seed's options
        against what this run's boots showed) in --out.
        --scenarios FILE|DIR (repeatable) loads your own scenario files (TypeScript or JavaScript,
        each default-exporting defineScenario(...)) and runs them instead of the built-in ones;
        --scenario NAME picks among both. See docs/writing-scenarios.md.
list    prints the scenarios and what each proves (yours too, with --scenarios).
init    writes a commented starter scenario file for your ISO (default: my-iso.scenario.ts).
        --keep: when a boot fails with its machine still running, its console is handed to
        this terminal (Ctrl-] quits and cleans up).
reproduce  boots the setup of a run's boot folder DIR again (same ISO, TFTP root, publisher,
        disks, kernel options; the scenario's earlier boots first) with the serial console on
        this terminal. Ctrl-] quits; everything is cleaned up.
doctor  checks the host (tools, pxelinux, KVM, free disk and memory) and says how to fix it.`;

/**
 * Exit codes follow the verdicts: 0 all passed (known issues that failed as known count as
 * passed), 1 a scenario failed or a known issue no longer fails, 2 bad input, a broken host or a
 * harness error.
 */
export function exitCodeFor(results: ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'ERROR')) return 2;
  if (results.some((r) => r.verdict === 'FAIL' || r.verdict === 'XPASS')) return 1;
  return 0;
}

/**
 * A whole number option within its limit (see runLimits), refused with the value quoted:
 * "--memory-mb must be at least 256 (MiB of guest memory), got "10"". Only plain digits: Number()
 * would also take "1e3", "0x10" or " 2 ".
 */
function boundedInteger(name: string, value: string | undefined, limit: RunLimit, example: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  const problem = Number.isNaN(n) ? 'must be a positive whole number' : outOfLimit(n, limit);
  if (problem) {
    const fix = Number.isNaN(n) || n < limit.min ? `pass e.g. --${name} ${example}` : `pass --${name} ${limit.max} or less`;
    throw inputError(`--${name} ${problem}, got ${JSON.stringify(value)}`, `--${name} ${value}`, fix);
  }
  return n;
}

/** A path option: an empty one would silently mean the current folder or fail with an unclear error. */
function pathOption(name: string, value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw inputError(`--${name} must name ${what}, got ${JSON.stringify(value)}`, `--${name} ${JSON.stringify(value)}`, `pass the path of ${what} with --${name}, or leave the option out`);
  return value;
}

/** --shard I/N: the I-th of N slices (1-based), every N-th scenario. */
export function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw inputError(`--shard must be I/N with 1 <= I <= N, got ${JSON.stringify(value)}`, `--shard ${value}`, 'pass e.g. --shard 1/3 on the first of three CI machines');
  }
  return { index, count };
}

/**
 * The scenarios a run boots. Without --scenarios: the built-in ones. With --scenarios FILE|DIR:
 * the user's scenarios instead, and --scenario NAME may pick among both (next to them).
 */
async function selectScenarios(files: readonly string[], names: readonly string[] | undefined): Promise<ScenarioDefinition[]> {
  const own = files.length ? await loadScenarioFiles(files, SCENARIOS) : [];
  const known = new Map([...SCENARIOS, ...own].map((s) => [s.name, s]));
  return (names ?? (own.length || files.length ? own.map((s) => s.name) : [...known.keys()])).map((name) => {
    const scenario = known.get(name);
    if (!scenario) throw inputError(`unknown scenario ${JSON.stringify(name)}`, `--scenario ${name}`, `choose one of: ${[...known.keys()].join(', ')} (pxe-harness list)`);
    return scenario;
  });
}

/** list [--scenarios FILE|DIR]...: every scenario a run could boot, and what each proves. */
async function list(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { scenarios: { type: 'string', multiple: true } }, strict: true });
  const own = values.scenarios?.length ? await loadScenarioFiles(values.scenarios, SCENARIOS) : [];
  const all = [...SCENARIOS, ...own];
  const width = Math.max(...all.map((s) => s.name.length));
  for (const s of all) process.stdout.write(`${s.name.padEnd(width)}  ${s.summary}${s.sourceFile ? `  (${s.sourceFile})` : ''}\n`);
  return 0;
}

/** --firmware bios|uefi|both. */
export function parseFirmware(value: string): FirmwareChoice {
  if (value === 'both' || value in FIRMWARES) return value as FirmwareChoice;
  throw inputError(`--firmware must be ${[...Object.keys(FIRMWARES), 'both'].join(', ')}, got ${JSON.stringify(value)}`, `--firmware ${value}`, 'pass e.g. --firmware uefi');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      iso: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      out: { type: 'string', default: 'out' },
      login: { type: 'string' },
      'boot-timeout-s': { type: 'string' },
      'memory-mb': { type: 'string' },
      cpus: { type: 'string' },
      'keep-temp': { type: 'boolean', default: false },
      shard: { type: 'string' },
      keep: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      accel: { type: 'string', default: 'auto' },
      'tcg-thread': { type: 'string', default: 'multi' },
      'known-issues': { type: 'string' },
      firmware: { type: 'string', default: 'bios' },
      scenarios: { type: 'string', multiple: true },
      'live-module': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  // Every input is checked first, cheapest first, and nothing here starts a process or makes a
  // file or folder: a bad value is exit 2 at once, before the slow steps (the KVM probe, the
  // fixture ISO build) and before any boot.
  const firmware = parseFirmware(values.firmware!);
  const liveModule = values['live-module'] === undefined ? undefined : liveModuleById(values['live-module']).id;
  const selected = await selectScenarios(values.scenarios ?? [], values.scenario);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const scenarios = shard ? selected.filter((_, i) => i % shard.count === shard.index - 1) : selected;
  let credentials;
  if (values.login !== undefined) {
    const [user, ...rest] = values.login.split(':');
    if (!user || rest.length === 0) throw inputError(`--login must be USER:PASSWORD, got ${JSON.stringify(values.login)}`, `--login ${values.login}`, 'pass e.g. --login root:linux');
    // Typed on the serial console: a control character (a newline, a tab) would end or garble it.
    if (/[\x00-\x1f\x7f]/.test(values.login)) throw inputError(`--login must not hold control characters, got ${JSON.stringify(values.login)}`, `--login ${JSON.stringify(values.login)}`, 'pass the user and password as typed at the login prompt, e.g. --login root:linux');
    credentials = { user, password: rest.join(':') };
  }
  const limits = runLimits();
  const bootTimeoutS = boundedInteger('boot-timeout-s', values['boot-timeout-s'], limits.bootTimeoutS, 600);
  const memoryMb = boundedInteger('memory-mb', values['memory-mb'], limits.memoryMb, 3072);
  const requestedCpus = boundedInteger('cpus', values.cpus, limits.cpus, limits.cpus.max > 1 ? 2 : 1);
  const requestedJobs = boundedInteger('jobs', values.jobs, limits.jobs, 2);
  const accelChoice = values.accel!;
  if (!['auto', 'tcg', 'kvm'].includes(accelChoice)) {
    throw inputError(`--accel must be auto, tcg or kvm, got ${JSON.stringify(accelChoice)}`, `--accel ${accelChoice}`, 'pass --accel auto (probe KVM, fall back to TCG)');
  }
  const tcgThread = values['tcg-thread']!;
  if (tcgThread !== 'multi' && tcgThread !== 'single') {
    throw inputError(`--tcg-thread must be multi or single, got ${JSON.stringify(tcgThread)}`, `--tcg-thread ${tcgThread}`, 'pass --tcg-thread multi (the default) or single');
  }
  const isoOption = pathOption('iso', values.iso, 'a live ISO file');
  const knownIssuesPath = pathOption('known-issues', values['known-issues'], 'a known-issues JSON file') ?? join(packageRoot(), 'known-issues.json');
  const knownIssues = await loadKnownIssues(knownIssuesPath);
  // An ISO that is not one (or only the start of one) is refused before anything slow happens.
  if (isoOption !== undefined) await inspectIso(isoOption);
  // The output folder last: it only checks (runScenarios makes it), so a refusal leaves nothing.
  const outDir = values.out!;
  await checkOutputFolder(outDir);
  const runs = scenarios.length * (firmware === 'both' ? Object.keys(FIRMWARES).length : 1);
  const { jobs, cpus } = planParallelism({ jobs: requestedJobs, cpus: requestedCpus, scenarios: runs, memoryMb });
  const controller = new AbortController();
  // First signal: stop the boot and clean up in order. Second: exit now; the exit hooks still kill
  // QEMU's process group and tmp's graceful cleanup removes the temp dirs.
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the boot and cleaning up (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The slow steps, after every input was checked; a signal during them stops the run before a boot.
  let accel: 'tcg' | 'kvm' = 'tcg';
  let isoPath: string;
  try {
    if (accelChoice !== 'tcg') {
      const probe = await cachedProbeKvm();
      if (probe.usable) accel = 'kvm';
      else if (accelChoice === 'kvm') throw hostError(`KVM does not work here: ${probe.detail}`, 'run with --accel tcg (or auto)');
      else process.stderr.write(`pxe-harness: KVM not usable (${probe.detail}${probe.cached ? '; answer of an earlier probe on this host, QEMU and kernel' : ''}); booting under TCG\n`);
    }
    if (controller.signal.aborted) return 130;
    isoPath = isoOption ?? (await fixtureIsoPath(liveModule === 'dmsquash' ? { module: 'dmsquash', firmware: 'efi' } : {}));
  } catch (error) {
    if (controller.signal.aborted) return 130;
    throw error;
  }
  if (controller.signal.aborted) return 130;
  const results = await runScenarios({
    isoPath,
    scenarios,
    outDir,
    ...(credentials ? { credentials } : {}),
    ...(bootTimeoutS ? { bootTimeoutMs: bootTimeoutS * 1000 } : {}),
    ...(memoryMb ? { memoryMb } : {}),
    ...(cpus ? { cpus } : {}),
    keepTemp: values['keep-temp'],
    firmware,
    ...(liveModule ? { liveModule } : {}),
    jobs,
    accel,
    tcgThread,
    knownIssues,
    reporters: [
      terminalReporter(),
      jsonReporter(outDir, { iso: isoPath }),
      junitReporter(outDir),
      htmlReporter(outDir, { iso: isoPath }),
      conformanceReporter(outDir),
    ],
    signal: controller.signal,
    ...(values.keep ? { attach: { when: 'failed' as const, terminal: attachTerminal } } : {}),
  });
  if (controller.signal.aborted) return 130;
  return exitCodeFor(results);
}

/** reproduce DIR: the same boot again (the boots before it too), its console on this terminal. */
async function reproduce(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string', default: 'out-reproduce' } }, allowPositionals: true, strict: true });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw inputError('reproduce takes one folder', positionals.join(' ') || '(none)', 'pass a boot folder of a run, e.g. out/ram-deploy-http/boot-1-network-boot-into-ram');
  let file = join(dir, 'reproduce.json');
  if (!existsSync(file)) {
    const boots = existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'reproduce.json'))).sort() : [];
    if (!boots.length) throw inputError(`${dir} holds no reproduce.json`, dir, 'pass a boot folder (or a scenario folder) from the output of pxe-harness run');
    file = join(dir, boots.at(-1)!, 'reproduce.json');
  }
  const spec = JSON.parse(readFileSync(file, 'utf8')) as { iso: string; scenario: string; boot: number; login: string; firmware?: string; scenarioFile?: string };
  const candidates = spec.scenarioFile ? await loadScenarioFiles([spec.scenarioFile], SCENARIOS) : SCENARIOS;
  const scenario = candidates.find((s) => s.name === splitFirmware(spec.scenario).scenario);
  if (!scenario) throw inputError(`scenario ${JSON.stringify(spec.scenario)} of ${file} is not known to this version`, file, 'reproduce with the pxe-harness version that made the run');
  const [user = 'root', ...password] = spec.login.split(':');
  process.stdout.write(`reproducing ${scenario.name}, boot ${spec.boot + 1} of ${scenario.boots.length} (${scenario.boots[spec.boot]!.name}); boots before it run first\n`);
  const results = await runScenarios({
    isoPath: spec.iso,
    scenarios: [{ ...scenario, boots: scenario.boots.slice(0, spec.boot + 1) }],
    outDir: values.out!,
    credentials: { user, password: password.join(':') },
    reporters: [terminalReporter()],
    attach: { when: spec.boot, terminal: attachTerminal },
    firmware: parseFirmware(spec.firmware ?? 'bios'),
  });
  return exitCodeFor(results);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'reproduce':
      return reproduce(rest);
    case 'doctor': {
      const findings = await examineHost();
      process.stdout.write(formatFindings(findings) + '\n');
      return findings.every((f) => f.ok) ? 0 : 2;
    }
    case 'list':
      return list(rest);
    case 'init':
      return initScenarioFile(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw inputError(`unknown command ${JSON.stringify(command)}`, command, 'use run, list, reproduce or doctor (pxe-harness --help)');
  }
}

setGracefulCleanup();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isHarnessError(error)) process.stderr.write(`pxe-harness: ${error.details}\n`);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`pxe-harness: ${error.message}\n${USAGE}\n`);
    else process.stderr.write(`pxe-harness: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(2);
  },
);
