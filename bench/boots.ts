/*
 * The boot figures of issue 6, measured with real TCG boots of the fixture ISO (minutes each, so
 * part of `npm run bench` only, never of `npm test`):
 *  - overhead: a scenario's wall time through the harness against the same boot by a plain QEMU
 *    command (same TFTP root, same publisher), both until the login prompt;
 *  - verdict latency: from the evidence that decides a verdict to the verdict, for a passing and a
 *    failing boot (BootResult.decidedAtMs to the reporter's onBootEnd);
 *  - transfer: the ISO's rate as the guest pulls it through the forwards, from the harness's
 *    publishers against nginx and vsftpd behind the same forwards;
 *  - loading: kernel and initrd over slirp TFTP (pxelinux) against HTTP (lpxelinux);
 *  - scheduling: a set of scenarios run one at a time against two side by side.
 * The plain boots are started here with the same arguments the harness builds, but with the
 * serial console on stdout and no QMP: what someone would type by hand.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { extractLoaderFiles } from '../harness/iso/loader-files.js';
import { readIsoBootFacts } from '../harness/iso/boot-facts.js';
import type { PortForward } from '../harness/publish/publisher.js';
import { buildQemuArgs } from '../harness/qemu/qemu-args.js';
import { signalGroup } from '../harness/process/signal-group.js';
import type { Reporter } from '../harness/report/reporter.js';
import type { BootResult, ScenarioResult } from '../harness/scenario/result.js';
import { runScenarios } from '../harness/engine/run-all.js';
import { SERVICE_ADDRESS as PUBLISH_ADDRESS } from '../harness/qemu/guest-network.js';
import { defineScenario, type ScenarioDefinition } from '../harness/scenario/index.js';
import { kiwiLive } from '../harness/live/kiwi-live.js';
import { DEFAULT_ARCHITECTURE } from '../harness/arch/index.js';
import { netbootLoaderFor, type LoaderTransport } from '../harness/netboot/index.js';
import type { LoaderFiles } from '../harness/iso/loader-files.js';
import { SCENARIOS } from '../scenarios/index.js';
import { freePort, median, seconds, type Section } from './measure.js';
import { harnessServer, ISO_PATH, nginxServer, vsftpdServer, type IsoServer } from './servers.js';

const CPUS = 2;
const LOGIN = /^[\w.-]+ login:/m;

/** The RAM deploy over http with no checks: its verdict comes at the login prompt. */
const bareRamDeploy = defineScenario({
  name: 'bench-ram-deploy-http',
  summary: 'RAM deploy over http, verdict at the login prompt (no checks)',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});
const brokenUrl = defineScenario({
  name: 'bench-broken-url',
  summary: 'the boot entry asks for an ISO the publisher does not serve',
  publish: { protocol: 'http', requestPath: '/image/missing.iso' },
  boots: [{ name: 'network boot', from: 'network', checks: [] }],
});

interface HarnessRun {
  wallMs: number;
  result: ScenarioResult;
  /** onBootEnd's time minus the boot's decidedAtMs, per boot. */
  latenciesMs: number[];
}

async function runThroughHarness(iso: string, scenarios: ScenarioDefinition[], jobs: number, cpus: number): Promise<HarnessRun[]> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-run-'));
  const latencies = new Map<string, number[]>();
  const reporter: Reporter = {
    onBootEnd(scenario, boot: BootResult) {
      const seen = Date.now();
      if (boot.decidedAtMs !== undefined) latencies.set(scenario.name, [...(latencies.get(scenario.name) ?? []), seen - boot.decidedAtMs]);
    },
  };
  try {
    const started = Date.now();
    const results = await runScenarios({ isoPath: iso, scenarios, outDir, jobs, cpus, accel: 'tcg', reporters: [reporter] });
    const wallMs = Date.now() - started;
    return results.map((result) => ({ wallMs, result, latenciesMs: latencies.get(result.name) ?? [] }));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

interface PlainBoot {
  /** Milliseconds from QEMU's spawn to the first console line matching each pattern. */
  seenAtMs: Record<string, number>;
  wallMs: number;
}

/**
 * A plain QEMU command with the harness's arguments (serial on stdout instead of a socket, no
 * QMP), until `until` matches the console or resolves; then QEMU is killed.
 */
async function plainBoot(options: {
  tftp: { dir: string; bootfile: string };
  forwards: PortForward[];
  marks: Record<string, RegExp>;
  until: string | Promise<unknown>;
  timeoutMs?: number;
}): Promise<PlainBoot> {
  const args = buildQemuArgs({
    name: 'pxe-bench-plain',
    memoryMb: 3072,
    cpus: CPUS,
    accel: 'tcg',
    tcgThread: 'multi',
    machineType: 'pc',
    display: DEFAULT_ARCHITECTURE.qemuDisplay,
    firmwareArgs: [],
    bootSelection: 'boot-order',
    bootFrom: 'network',
    network: {
      tftpRoot: options.tftp.dir,
      bootfile: options.tftp.bootfile,
      forwards: options.forwards.map((f) => ({ guestAddress: PUBLISH_ADDRESS, ...f })),
    },
    disks: [],
    noReboot: true,
    serialSocket: '/unused',
    qmpSocket: '/unused',
  });
  const chardev = args.indexOf('-chardev');
  args.splice(chardev, 4, '-serial', 'stdio');
  args.splice(args.indexOf('-qmp'), 2);
  const started = Date.now();
  const child = spawn('qemu-system-x86_64', args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const seenAtMs: Record<string, number> = {};
  let text = '';
  let done: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (done = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-4096);
    for (const [name, pattern] of Object.entries(options.marks)) {
      if (seenAtMs[name] === undefined && pattern.test(text)) seenAtMs[name] = Date.now() - started;
    }
    if (typeof options.until === 'string' && seenAtMs[options.until] !== undefined) done();
    // A guest that panics (seen here under TCG, once in a while, early in the kernel) never gets
    // there: end at once instead of at the deadline.
    if (/Kernel panic - not syncing/.test(text)) done();
  });
  if (typeof options.until !== 'string') void options.until.then(done, done);
  const deadline = setTimeout(done, options.timeoutMs ?? 600_000);
  try {
    await Promise.race([reached, exited]);
  } finally {
    clearTimeout(deadline);
    signalGroup(child.pid!, 'SIGKILL');
    await exited;
  }
  if (typeof options.until === 'string' && seenAtMs[options.until] === undefined) throw new Error(`plain boot ended before ${options.until}: ${text.slice(-500)}`);
  return { seenAtMs, wallMs: Date.now() - started };
}

/** A netboot root laid out by the harness's own loader for a plain QEMU boot; stop() ends its servers. */
async function netbootRoot(dir: string, iso: string, loaderFiles: LoaderFiles, isoUrl: string, transport: LoaderTransport) {
  const undo: (() => unknown)[] = [];
  const prepared = await netbootLoaderFor('bios', transport).prepare({
    runtimeDir: dir, artifactsDir: dir, loaderFiles, iso: { path: iso, boot: await readIsoBootFacts(iso) }, arch: DEFAULT_ARCHITECTURE, kernelArgs: kiwiLive.kernelArgs({ kind: 'url', url: isoUrl }, { console: DEFAULT_ARCHITECTURE.serialConsole }), onTeardown: (_name, fn) => undo.push(fn),
  });
  return { dir: prepared.tftpRoot, bootfile: prepared.bootfile, forwards: prepared.forwards, stop: async () => { for (const fn of undo.reverse()) await fn(); } };
}

const verdictOf = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** What every boot section of the benchmark shares: the fixture ISO, a scratch folder, its kernel and initrd. */
interface BootBench {
  runs: number;
  iso: string;
  size: number;
  dir: string;
  loader: LoaderFiles;
  log: (line: string) => void;
}

/** The same RAM deploy through the harness and as a plain QEMU command, alternating so that a drift of the machine hits both alike. */
async function measureOverhead({ runs, iso, size, dir, loader, log }: BootBench): Promise<{ harness: HarnessRun[]; plain: PlainBoot[] }> {
  const harness: HarnessRun[] = [];
  const plain: PlainBoot[] = [];
  for (let i = 0; i < runs; i++) {
    const [run] = await runThroughHarness(iso, [bareRamDeploy], 1, CPUS);
    if (run!.result.verdict !== 'PASS') throw new Error(`the harness's RAM deploy did not pass: ${run!.result.reason}`);
    harness.push(run!);
    log(`overhead: harness ${seconds(run!.wallMs)} (login at ${seconds(run!.result.boots[0]!.timeline.login!)} of QEMU's clock)`);
    if (run!.result.boots[0]!.timeline.login === undefined) throw new Error('the harness recorded no login phase');
    const server = await harnessServer('http', iso, size);
    try {
      const tftp = await netbootRoot(join(dir, `tftp-plain-${i}`), iso, loader, server.url, 'tftp');
      // One retry, as the harness retries a boot that fails before its initrd (a TCG flake).
      const attempt = () => plainBoot({ tftp, forwards: server.forwards, marks: { login: LOGIN }, until: 'login' });
      const boot = await attempt().catch((error: Error) => {
        log(`overhead: plain QEMU failed (${error.message.split('\n')[0]!.slice(0, 80)}), retrying once`);
        return attempt();
      });
      plain.push(boot);
      log(`overhead: plain QEMU ${seconds(boot.wallMs)}`);
    } finally {
      await server.stop();
    }
  }
  return { harness, plain };
}

async function overheadSections(bench: BootBench): Promise<Section[]> {
  const { runs } = bench;
  const out: Section[] = [];
  const { harness, plain } = await measureOverhead(bench);
  const h = median(harness.map((r) => r.wallMs));
  const p = median(plain.map((r) => r.wallMs));
  const ratio = h / p;
  // What the harness adds outside the guest: its wall time minus QEMU's start to the prompt
  // (set-up before QEMU, the verdict and the teardown after), free of the guest's own speed.
  const outside = harness.map((r) => r.wallMs - r.result.boots[0]!.timeline.login!);
  const o = median(outside);
  const passLatency = median(harness.flatMap((r) => r.latenciesMs));
  out.push({
    id: 'overhead',
    markdown: `### Harness overhead (target: ratio <= 1.02)

The RAM deploy over http until the login prompt, ${runs} times each, alternating: through the harness
(\`runScenarios\`, from the call to its return: ISO check, kernel and initrd out of the ISO, TFTP root,
publisher, QEMU, console, verdict, teardown) against a plain QEMU command with the same arguments,
TFTP root and publisher (serial on stdout, killed at \`login:\`), -smp ${CPUS}.

| | median | runs |
| --- | --- | --- |
| harness | ${seconds(h)} | ${harness.map((r) => seconds(r.wallMs)).join(', ')} |
| plain QEMU | ${seconds(p)} | ${plain.map((r) => seconds(r.wallMs)).join(', ')} |
| ratio | **${ratio.toFixed(3)}** (${verdictOf(ratio <= 1.02)}) | |
| harness time outside the guest (wall time minus QEMU's start to \`login:\`) | ${seconds(o)} | ${outside.map(seconds).join(', ')} |
| ratio at equal guest speed ((plain + outside) / plain) | **${((p + o) / p).toFixed(3)}** (${verdictOf((p + o) / p <= 1.02)}) | |

The same boot's own time varies from run to run on these machines by far more than the harness
adds (plain runs above); the second ratio takes the guest's time out of the comparison.
`,
  });
  out.push({
    id: 'latency-pass',
    markdown: `### Verdict latency, passing boot (target: <= 2 s)

From the login prompt's line (the deciding evidence of a boot without checks) to the verdict reaching
the reporters, which is after QEMU has been stopped: median **${(passLatency / 1000).toFixed(2)} s**
(${verdictOf(passLatency <= 2000)}); runs ${harness.flatMap((r) => r.latenciesMs).map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}.
`,
  });
  return out;
}

async function failingLatencySections({ runs, iso, size, dir, loader, log }: BootBench): Promise<Section[]> {
  const out: Section[] = [];
  const failing: HarnessRun[] = [];
  for (let i = 0; i < runs; i++) {
    const [run] = await runThroughHarness(iso, [brokenUrl], 1, CPUS);
    if (run!.result.verdict !== 'FAIL') throw new Error(`the broken setup did not fail: ${run!.result.reason}`);
    failing.push(run!);
    log(`latency: failing boot ${run!.latenciesMs.map((ms) => seconds(ms)).join(', ')} (${run!.result.reason.slice(0, 120)})`);
  }
  const l = median(failing.flatMap((r) => r.latenciesMs));
  out.push({
    id: 'latency-fail',
    markdown: `### Verdict latency, failing boot (target: <= 2 s)

The boot entry asks for an ISO the publisher does not serve: the 404 is logged, the harness waits
(up to 20 s) for the guest to show the consequence, and dracut's FATAL line is the deciding evidence.
From that line to the verdict: median **${(l / 1000).toFixed(2)} s** (${verdictOf(l <= 2000)}); runs
${failing.flatMap((r) => r.latenciesMs).map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}.
From the failed transfer itself to the verdict it is longer by the time dracut takes to give up
(reason of the last run: "${failing.at(-1)!.result.reason.slice(0, 200)}").
`,
  });
  return out;
}

async function transferSections({ runs, iso, size, dir, loader, log }: BootBench): Promise<Section[]> {
  const out: Section[] = [];
  const makers: Array<[string, () => Promise<IsoServer | undefined>]> = [
    ['harness http', () => harnessServer('http', iso, size)],
    ['nginx', () => nginxServer(dir, iso, size)],
    ['harness ftp', () => harnessServer('ftp', iso, size)],
    ['vsftpd', async () => vsftpdServer(dir, iso, size, await freePort())],
  ];
  const rates = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const [label, make] of makers) {
      const server = await make();
      if (!server) continue;
      try {
        const tftp = await netbootRoot(join(dir, `tftp-transfer-${label.replace(' ', '-')}-${i}`), iso, loader, server.url, 'tftp');
        let rate = 0;
        await plainBoot({ tftp, forwards: server.forwards, marks: {}, until: server.transferred.then((r) => (rate = r)) });
        if (!rate) throw new Error(`${label}: the boot ended before the ISO was transferred`);
        rates.set(label, [...(rates.get(label) ?? []), rate]);
        log(`transfer: ${label} ${rate.toFixed(1)} MB/s`);
      } finally {
        await server.stop();
      }
    }
  }
  const m = (label: string) => (rates.has(label) ? median(rates.get(label)!) : undefined);
  const row = (label: string, against?: string) => {
    const rate = m(label);
    if (rate === undefined) return `| ${label} | not installed (apt-get install ${label}) | | |`;
    const base = against ? m(against) : undefined;
    const ratio = base ? rate / base : undefined;
    return `| ${label} | ${rate.toFixed(1)} MB/s | ${rates.get(label)!.map((r) => r.toFixed(1)).join(', ')} | ${ratio === undefined ? '' : `${ratio.toFixed(2)} (${verdictOf(ratio >= 1)})`} |`;
  };
  out.push({
    id: 'transfer',
    markdown: `### Guest-side transfer (target: rate >= that of nginx behind the same forward)

The ${(size / 1e6).toFixed(0)} MB fixture ISO pulled by the initrd's curl through slirp and the same
socat guest forward to the server's UNIX socket, plain QEMU boots (-smp ${CPUS}) stopped once the server
logged the complete transfer; vsftpd, which cannot listen on a socket, has one more socat between the
socket and its TCP port.
Rates from each server's own log (harness: its transfer log; nginx: $request_time; vsftpd: its
DOWNLOAD line), ${runs} runs each, interleaved.

| server | median | runs | ratio to Debian's server |
| --- | --- | --- | --- |
${row('harness http', 'nginx')}
${row('nginx')}
${row('harness ftp', 'vsftpd')}
${row('vsftpd')}
`,
  });
  return out;
}

async function loadingSections({ runs, iso, size, dir, loader, log }: BootBench): Promise<Section[]> {
  const out: Section[] = [];
  const times: Record<'tftp' | 'http', number[]> = { tftp: [], http: [] };
  for (let i = 0; i < runs; i++) {
    for (const how of ['tftp', 'http'] as const) {
      // The ISO itself is not needed: the boots stop at the kernel's first line.
      const tftp = await netbootRoot(join(dir, `tftp-loading-${how}-${i}`), iso, loader, `http://${PUBLISH_ADDRESS}${ISO_PATH}`, how);
      try {
        const boot = await plainBoot({ tftp, forwards: tftp.forwards, marks: { kernel: /Linux version/ }, until: 'kernel', timeoutMs: 300_000 });
        times[how].push(boot.seenAtMs.kernel!);
        log(`loading: ${how} ${seconds(boot.seenAtMs.kernel!)}`);
      } finally {
        await tftp.stop();
      }
    }
  }
  const t = median(times.tftp);
  const h = median(times.http);
  const mib = (p: string) => statSync(p).size / 1024 ** 2;
  out.push({
    id: 'loading',
    markdown: `### Loading kernel and initrd: slirp TFTP against HTTP

QEMU's start to the kernel's \`Linux version\` line, kernel ${mib(loader.kernelPath).toFixed(1)} MiB + initrd ${mib(loader.initrdPath).toFixed(1)} MiB,
plain QEMU, -smp ${CPUS}, ${runs} runs each, interleaved.

| how | median | runs |
| --- | --- | --- |
| pxelinux, TFTP (slirp) | ${seconds(t)} | ${times.tftp.map(seconds).join(', ')} |
| lpxelinux, HTTP (harness publisher) | ${seconds(h)} | ${times.http.map(seconds).join(', ')} |

HTTP takes ${(h / t).toFixed(2)} times as long as TFTP.
`,
  });
  return out;
}

async function schedulingSections({ runs, iso, size, dir, loader, log }: BootBench): Promise<Section[]> {
  const out: Section[] = [];
  const names = (process.env.BENCH_SET ?? 'ram-deploy-http,ram-deploy-ftp,truncated-iso,ramdisk-too-small').split(',');
  const set = names.map((n) => SCENARIOS.find((s) => s.name === n) ?? (() => { throw new Error(`BENCH_SET: no scenario ${n}`); })());
  const serial = await runThroughHarness(iso, set, 1, 2);
  log(`scheduling: one at a time ${seconds(serial[0]!.wallMs)}`);
  const parallel = await runThroughHarness(iso, set, 2, 1);
  log(`scheduling: two side by side ${seconds(parallel[0]!.wallMs)}`);
  const verdicts = (r: HarnessRun[]) => r.map((x) => `${x.result.name} ${x.result.verdict}`).join(', ');
  out.push({
    id: 'scheduling',
    markdown: `### Scheduling: one at a time against side by side (target for the whole set: <= 8 min)

${set.length} scenarios (${names.join(', ')}), one run each (each run is ${set.length} boots of minutes):

| how | wall time | verdicts |
| --- | --- | --- |
| --jobs 1 --cpus 2 | ${seconds(serial[0]!.wallMs)} | ${verdicts(serial)} |
| --jobs 2 --cpus 1 | ${seconds(parallel[0]!.wallMs)} | ${verdicts(parallel)} |

Side by side takes ${(parallel[0]!.wallMs / serial[0]!.wallMs).toFixed(2)} of the time of one at a time.
`,
  });
  return out;
}

export async function bootSections(runs: number, only: (name: string) => boolean): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true });
  const dir = await mkdtemp(join(tmpdir(), 'pxe-bench-boots-'));
  const log = (line: string) => console.log(`bench: ${line}`);
  try {
    const loader = await extractLoaderFiles(iso, join(dir, 'loader'), DEFAULT_ARCHITECTURE.loaderLocations, DEFAULT_ARCHITECTURE.id);
    const bench: BootBench = { runs, iso, size: statSync(iso).size, dir, loader, log };
    const parts: Array<[string, (b: BootBench) => Promise<Section[]>]> = [
      ['overhead', overheadSections], ['latency', failingLatencySections], ['transfer', transferSections], ['loading', loadingSections], ['scheduling', schedulingSections],
    ];
    const sections: Section[] = [];
    for (const [name, measure] of parts) if (only(name)) sections.push(...(await measure(bench)));
    return sections;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
