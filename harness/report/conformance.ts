import { relative } from 'node:path';
import type { ScenarioResult } from '../scenario/result.js';
import { writeReportFile } from './report-file.js';
import type { Reporter } from './reporter.js';

/** One option or promise of the seed documents, and the scenarios that prove it on a real boot. */
export interface ConformanceRow {
  option: string;
  /** What the documentation says, in its words where it has them. */
  documented: string;
  /** The built-in scenarios that decide it (their results, under any firmware suffix). */
  scenarios: string[];
  /** Why no scenario can decide it here, for the rows that cannot be run. */
  notRun?: string;
}

const KIWI_DOC = 'Booting a Live ISO Image from Network';
const LIVE_DOC = 'Build an ISO Hybrid Live Image';

/** The seed's options (both pages, both live modules), in the order the pages name them. */
export const CONFORMANCE: readonly ConformanceRow[] = [
  { option: 'root=live:ftp://IP/PATH', documented: `${KIWI_DOC}: the ISO over ftp (the page's own example)`, scenarios: ['ram-deploy-ftp', 'stalled-iso'] },
  { option: 'root=live:http://IP/PATH', documented: `${KIWI_DOC}: "So far ftp, http, https and dolly are supported"`, scenarios: ['ram-deploy-http', 'ram-deploy-http-lpxelinux', 'truncated-iso', 'corrupted-iso'] },
  { option: 'root=live:https://IP/PATH', documented: `${KIWI_DOC}: https is supported`, scenarios: ['ram-deploy-https', 'https-untrusted-certificate', 'ram-deploy-https-verified'] },
  { option: 'root=live:dolly://IP/PATH', documented: `${KIWI_DOC}: dolly is supported`, scenarios: ['dolly-deploy'] },
  { option: 'rd.kiwi.live.curl_options=', documented: `${KIWI_DOC}: "Options passed along to the curl call"`, scenarios: ['ram-deploy-https', 'curl-options-comma-form'] },
  { option: 'rd.kiwi.live.dolly_options=', documented: `${KIWI_DOC}: "Options passed along to the dolly call"`, scenarios: ['dolly-deploy'] },
  { option: 'rd.kiwi.live.system=', documented: `${KIWI_DOC}: "Block device to use for the system. By default this is set to /dev/ram0"`, scenarios: ['disk-deploy-standalone', 'disk-deploy-not-persistent', 'disk-deploy-by-id'] },
  { option: 'ramdisk_size=bytes', documented: `${KIWI_DOC}: "Size of the ramdisk in bytes. By default this is set to 2097152 (2G)"`, scenarios: ['ramdisk-size-unit', 'ramdisk-too-small'] },
  { option: 'rd.kiwi.live.reset', documented: `${KIWI_DOC}: deploy again over a deployed system`, scenarios: ['persistent-lifecycle'] },
  { option: 'the wipe warning', documented: `${KIWI_DOC}: "All data on the device given via rd.kiwi.live.system will be wiped"`, scenarios: ['used-disk-deploy'] },
  { option: 'rd.live.overlay.persistent, rd.live.overlay.cowfs=', documented: `${KIWI_DOC} / ${LIVE_DOC}: a persistent write partition on the deploy disk`, scenarios: ['persistent-lifecycle', 'persistent-ext4'] },
  { option: 'a URL with a query, a redirect', documented: 'root=live:URL: an http URL as any client takes it', scenarios: ['url-with-query', 'http-redirect'] },
  { option: 'a server not ready when first asked', documented: `${KIWI_DOC}: "Access to the live ISO file must be provided by either ftp, http, https or dolly": a server that answers 503 with Retry-After still provides it`, scenarios: ['iso-not-ready-at-first'] },
  {
    option: 'root=live:AOEINTERFACE=e0.1',
    documented: `${LIVE_DOC}: "The overlay module supports network boot only in combination with the AoE (Ata Over Ethernet) protocol"`,
    scenarios: ['aoe-boot'],
  },
  { option: 'root=live:URL.xz', documented: 'kiwi-live fetches a URL ending in .xz through xz -d (kiwi-live-lib.sh fetch_file)', scenarios: ['xz-compressed-iso'] },
  { option: 'rd.live.ram (dmsquash)', documented: `${LIVE_DOC}: "ISO in RAM completely: usable with the dmsquash module through rd.live.ram"; not with the overlay module`, scenarios: ['live-ram-copy'] },
  { option: 'overlayfs / device-mapper overlay', documented: `${LIVE_DOC}: overlayfs with both modules, device-mapper snapshots with dmsquash`, scenarios: ['overlay-overlayfs', 'ram-deploy-http'] },
  {
    option: 'rd.live.overlay=DEVICE:PATH (dmsquash; rd.overlay= from dracut 110), .reset, .readonly',
    documented: `${LIVE_DOC}: "The dmsquash module configures persistency through the rd.live.overlay option exclusively"; dracut.cmdline(7): a file gives a device-mapper overlay, a folder an overlayfs one`,
    scenarios: ['overlay-store-snapshot', 'overlay-store-snapshot-deprecated', 'overlay-store-overlayfs'],
  },
  {
    option: 'rd.live.overlay.nouserconfirmprompt (dmsquash)',
    documented: 'dracut.cmdline(7): "Suppresses the \'Using temporary overlay\' blocking prompt"; without it a missing persistent overlay blocks the boot',
    scenarios: ['overlay-store-missing', 'overlay-store-missing-noprompt'],
  },
  { option: 'root=live:URL of a file not named .iso', documented: 'dracut.cmdline(7): root=live:<url> "Boots a live image retrieved from <url>" (its examples name .img files); livenetroot attaches the download as an ISO only when its name ends in .iso', scenarios: ['iso-named-otherwise'] },
  { option: 'mediacheck (kiwi-live), rd.live.check (dmsquash)', documented: `${LIVE_DOC}: media checksum verification, checkmedia for overlay, checkisomd5 for dmsquash`, scenarios: ['media-check', 'media-check-corrupted'] },
];

const resultsOf = (results: readonly ScenarioResult[], name: string) => results.filter((r) => r.name === name || r.name.startsWith(`${name}@`));

/** A passed scenario's own reason is only "all boots passed": the boots' reasons say what they showed. */
const whatItShowed = (r: ScenarioResult) => (r.verdict === 'PASS' && r.boots.length ? r.boots.map((b) => b.reason).join(' / ') : r.reason);

/** One row of the page as this run decided it. */
export interface ConformanceOutcome {
  option: string;
  documented: string;
  showed: string;
  verdict: string;
  evidence: { name: string; dir: string }[];
}

/** Per option: what the documentation says and what the boots of this run showed. */
export function conformanceOutcomes(results: readonly ScenarioResult[], outDir: string): ConformanceOutcome[] {
  return CONFORMANCE.map((row) => {
    const ran = row.scenarios.flatMap((name) => resultsOf(results, name));
    const showed = row.notRun
      ? `not run: ${row.notRun}`
      : ran.length
        ? ran.map((r) => `${r.name} ${r.verdict}: ${whatItShowed(r).slice(0, 300)}`).join('\n')
        : `not run: none of ${row.scenarios.join(', ')} was selected in this run`;
    return {
      option: row.option,
      documented: row.documented,
      showed,
      verdict: row.notRun || !ran.length ? 'NOT RUN' : ran.map((r) => r.verdict).join(', '),
      evidence: ran.map((r) => ({ name: r.name, dir: relative(outDir, r.artifactsDir) || '.' })),
    };
  });
}

export function renderConformance(results: readonly ScenarioResult[], outDir: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
  const rows = conformanceOutcomes(results, outDir).map((o) =>
    `| \`${cell(o.option)}\` | ${cell(o.documented)} | ${cell(o.showed)} | ${o.verdict} | ${o.evidence.map((e) => `[${e.name}](${e.dir}/)`).join(' ')} |`);
  const booted = [...new Set(results.flatMap((r) => (r.architecture ? [r.architecture] : [])))];
  return [
    '# Conformance: the seed documents against real boots',
    '',
    ...(booted.length ? [`Architecture: ${booted.join(', ')}.`, ''] : []),
    'PASS: the documented behaviour held. XFAIL: it did not, and known-issues.json names the source line. FAIL: it did not, with no known issue. SKIP: the live module of this ISO has no such option.',
    '',
    '| option | documented | what the boots showed | verdict | evidence |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** conformance.md in the run's output folder, written at the run's end (atomically). */
export function conformanceReporter(outDir: string): Reporter {
  return {
    name: 'conformance',
    async onRunEnd(results) {
      await writeReportFile(outDir, 'conformance.md', renderConformance(results, outDir));
    },
  };
}
