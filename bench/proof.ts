/*
 * The proof of delivery under TCG (issue 29): what it costs after `login:`, and how the RAM deploy
 * grows with the ISO.
 *  - tools: the digest tools a live system carries, each timed over the fixture's RAM copy of the
 *    ISO (and md5sum with two readers side by side), which chose md5 for the proof;
 *  - scaling: the RAM deploy over http of ISOs of about 100 MB, 500 MB and 1 GB (the fixture, and
 *    copies of it with an incompressible payload beside its live root, boot records replayed by
 *    xorriso): fetch, proof, total, the harness's peak RSS and its time outside the guest.
 */
import { execa } from 'execa';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { runScenarios } from '../harness/engine/run-all.js';
import { defineScenario, type Check } from '../harness/scenario/index.js';
import { liveImageMatchesPublished, locateRamImage } from '../harness/scenario/checks/image-checks.js';
import type { ScenarioResult } from '../harness/scenario/result.js';
import { median, seconds as s, type Section } from './measure.js';

const TOOLS = ['cat', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'b2sum', 'cksum'];
const MiB = 1024 * 1024;
const SIZES_MB = [500, 1000];

/** A check that times each tool over the ISO's bytes of the RAM copy; its detail is `tool=ms` pairs. */
const timeTools: Check = {
  name: 'digest tools timed over the RAM copy',
  run: async (context) => {
    const sh = await context.shell();
    const { device } = await locateRamImage(sh, context.live);
    const size = context.iso.sizeBytes;
    const read = (skip: number, count: number) => `dd if=${device} iflag=skip_bytes,count_bytes skip=${skip} count=${count} bs=4M status=none`;
    const timed = async (command: string) => {
      const started = Date.now();
      const result = await sh.run(command, { timeoutMs: 600_000 });
      if (result.exitCode !== 0) throw new Error(`${command}: exit ${result.exitCode}: ${result.output.slice(-200)}`);
      return Date.now() - started;
    };
    const pairs: string[] = [];
    for (const tool of TOOLS) pairs.push(`${tool}=${await timed(`${read(0, size)} | ${tool === 'cat' ? 'cat > /dev/null' : `${tool} > /dev/null`}`)}`);
    const half = Math.floor(size / 2);
    pairs.push(`md5sum-2-readers=${await timed(`( ${read(0, half)} | md5sum > /dev/null & ${read(half, size - half)} | md5sum > /dev/null & wait )`)}`);
    return { ok: true, detail: pairs.join(' ') };
  },
};

/** The proof of a RAM deploy, timed from a logged-in shell: its detail gains `in N ms`. */
const timedProof = (): Check => {
  const proof = liveImageMatchesPublished('ram');
  return {
    ...proof,
    run: async (context) => {
      // The serial login comes first: every boot that logs in pays it once, whichever check asks first.
      await context.shell();
      const started = Date.now();
      const outcome = await proof.run(context);
      return { ...outcome, detail: `in ${Date.now() - started} ms: ${outcome.detail}` };
    },
  };
};

const ramDeploy = (checks: Check[]) => defineScenario({
  name: 'bench-proof', summary: 'the RAM deploy over http, its proof timed', publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks }],
});

async function bootPassed(isoPath: string, checks: Check[]): Promise<{ result: ScenarioResult; wallMs: number; rssBytes: number }> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-proof-'));
  let rssBytes = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssBytes = Math.max(rssBytes, process.memoryUsage().rss)), 250);
  try {
    const started = Date.now();
    const [result] = await runScenarios({ isoPath, scenarios: [ramDeploy(checks)], outDir, jobs: 1, cpus: 2, accel: 'tcg' });
    if (result!.verdict !== 'PASS') throw new Error(`the RAM deploy of ${isoPath} did not pass: ${result!.reason}`);
    return { result: result!, wallMs: Date.now() - started, rssBytes };
  } finally {
    clearInterval(sampler);
    await rm(outDir, { recursive: true, force: true });
  }
}

/** The fixture with an incompressible payload file beside its live root, about `totalMb` MB in all, its boot records replayed. */
async function grownIso(fixture: string, dir: string, totalMb: number): Promise<string> {
  const payload = join(dir, `payload-${totalMb}.bin`);
  const padding = Math.max(1, totalMb * 1_000_000 - (await stat(fixture)).size);
  await execa('sh', ['-c', `head -c ${padding} /dev/urandom > ${payload}`]);
  const out = join(dir, `grown-${totalMb}.iso`);
  await execa('xorriso', ['-indev', fixture, '-outdev', out, '-map', payload, '/pxe-bench-payload.bin', '-boot_image', 'any', 'replay']);
  await rm(payload, { force: true });
  return out;
}

export async function proofSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const fixture = await fixtureIsoPath({ progress: true });
  const toolRuns: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    const { result } = await bootPassed(fixture, [timeTools]);
    const detail = result.boots[0]!.checks.find((c) => c.name === timeTools.name)!.detail;
    for (const [tool, ms] of detail.split(' ').map((p) => p.split('='))) (toolRuns[tool!] ??= []).push(Number(ms));
    log(`proof tools: ${detail}`);
  }
  const fixtureMb = ((await stat(fixture)).size / MiB).toFixed(0);
  const toolRows = Object.entries(toolRuns).map(([tool, ms]) => `| ${tool} | ${s(median(ms))} | ${(Number(fixtureMb) / (median(ms) / 1000)).toFixed(0)} MiB/s |`);
  return [
    {
      id: 'proof-tools',
      markdown: `### The proof of delivery: digest tools under TCG

Each tool of the fixture's live system over its RAM copy of the ISO (${fixtureMb} MiB, \`dd bs=4M | TOOL\`), smp 2, ${runs} run(s), medians; \`cat\` is the read alone. The proof uses md5sum, four readers side by side (image-checks.ts).

| tool | time | rate |
| --- | --- | --- |
${toolRows.join('\n')}
`,
    },
    await scalingSection(fixture, runs, log),
  ];
}

async function scalingSection(fixture: string, runs: number, log: (line: string) => void): Promise<Section> {
  const dir = await mkdtemp(join(tmpdir(), 'pxe-bench-grown-'));
  try {
    const isos = [fixture, ...(await Promise.all(SIZES_MB.map((mb) => grownIso(fixture, dir, mb))))];
    const rows: string[] = [];
    for (const iso of isos) {
      const cells = { fetch: [] as number[], proof: [] as number[], total: [] as number[], outside: [] as number[], rss: [] as number[] };
      for (let i = 0; i < runs; i++) {
        const { result, wallMs, rssBytes } = await bootPassed(iso, [timedProof()]);
        const boot = result.boots[0]!;
        const fetch = boot.transfers.find((t) => t.method === 'GET' && t.complete)!.durationMs;
        const proof = Number(/^in (\d+) ms/.exec(boot.checks.find((c) => /byte for byte/.test(c.name))!.detail)![1]);
        cells.fetch.push(fetch); cells.proof.push(proof); cells.total.push(boot.durationMs); cells.outside.push(wallMs - boot.durationMs); cells.rss.push(rssBytes);
        log(`proof scaling: ${iso}: fetch ${s(fetch)}, proof ${s(proof)}, boot ${s(boot.durationMs)}, outside ${s(wallMs - boot.durationMs)}, rss ${(rssBytes / MiB).toFixed(0)} MiB`);
      }
      const mb = ((await stat(iso)).size / MiB).toFixed(0);
      rows.push(`| ${mb} MiB | ${s(median(cells.fetch))} | ${s(median(cells.proof))} | ${(median(cells.proof) / median(cells.fetch)).toFixed(2)} | ${s(median(cells.total))} | ${s(median(cells.outside))} | ${(median(cells.rss) / MiB).toFixed(0)} MiB |`);
    }
    return {
      id: 'proof-scaling',
      markdown: `### The RAM deploy as the ISO grows

The RAM deploy over http (BIOS, smp 2) of the fixture and of copies grown with an incompressible payload beside the live root (xorriso, boot records replayed), ${runs} run(s) each, medians. fetch: the ISO's GET on the publisher's clock; proof: the guest's md5 of its copy against the host's, after \`login:\`; total: QEMU's start to the verdict; outside: the run's wall time around the boot (checks of the ISO, loader files, reports); RSS: the harness's peak.

| ISO | fetch | proof | proof / fetch | total | outside | harness RSS |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
