/*
 * The harness's own time outside the scenarios (issue 16, target <= 3 s): `pxe-harness run` timed
 * from outside for a scenario that needs no guest to finish (netboot-kernel-missing, a few seconds),
 * minus that scenario's own duration. Checked options, the ISO's digest, the `--accel auto` probe,
 * the reports. Twice per run: with the probe's answer cached for this host, QEMU and kernel (every
 * run after the first), and with an empty cache (the first run on a machine).
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { packageRoot } from '../harness/util/package-root.js';
import { median, seconds as s, type Section } from './measure.js';

const TARGET_MS = 3_000;
const SCENARIO = 'netboot-kernel-missing';

async function outsideOnce(iso: string, coldCache: boolean): Promise<number> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-outside-'));
  const cache = coldCache ? await mkdtemp(join(tmpdir(), 'pxe-bench-cache-')) : undefined;
  try {
    const started = Date.now();
    const run = await execa('node', ['dist/cli/main.js', 'run', '--iso', iso, '--scenario', SCENARIO, '--out', outDir], {
      cwd: packageRoot(), reject: false, env: cache ? { PXE_HARNESS_CACHE: cache } : {},
    });
    const wallMs = Date.now() - started;
    // Exit 0 first: a run that failed before its reports has no results.json, and its stderr says why.
    const failed = () => new Error(`${SCENARIO} did not pass (exit ${run.exitCode}): ${run.stderr.slice(-500)}`);
    if (run.exitCode !== 0) throw failed();
    const { results } = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as { results: { verdict: string; durationMs: number }[] };
    if (results[0]?.verdict !== 'PASS') throw failed();
    return wallMs - results[0].durationMs;
  } finally {
    await rm(outDir, { recursive: true, force: true });
    if (cache) await rm(cache, { recursive: true, force: true });
  }
}

export async function outsideSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true });
  const warm: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await outsideOnce(iso, false));
    cold.push(await outsideOnce(iso, true));
    log(`outside: cached probe ${s(warm.at(-1)!)}, empty cache ${s(cold.at(-1)!)}`);
  }
  const verdict = (ms: number) => (ms <= TARGET_MS ? 'met' : 'MISSED');
  return [{
    id: 'outside',
    markdown: `### The harness's time outside the scenarios (target: <= ${s(TARGET_MS)})

\`pxe-harness run --scenario ${SCENARIO}\` (default \`--accel auto\`) timed from outside, minus the
scenario's own duration, ${runs} run(s) each, alternating; medians.

| probe's answer | outside the scenario | runs |
| --- | --- | --- |
| cached for this host, kernel and QEMU (every run after the first) | **${s(median(warm))}** (${verdict(median(warm))}) | ${warm.map(s).join(', ')} |
| empty cache (the first run on a machine: KVM probed) | ${s(median(cold))} | ${cold.map(s).join(', ')} |
`,
  }];
}
