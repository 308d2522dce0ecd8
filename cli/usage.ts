import { ALL_FIRMWARES, FIRMWARES } from '../harness/firmware/index.js';
import { RUN_REPORTERS } from './run-reporters.js';
import { LIVE_MODULES } from '../harness/live/index.js';
import { DEFAULT_NETBOOT, NETBOOT_FAMILIES } from '../harness/netboot/index.js';
import { RUN_DEFAULTS } from '../harness/engine/run-config.js';
import { REGISTERED_ARCHITECTURES } from '../harness/arch/index.js';

const firmwares = `${[...Object.keys(FIRMWARES), 'both'].join('|')}|LIST`;
const modules = Object.keys(LIVE_MODULES).join('|');
const netboots = Object.keys(NETBOOT_FAMILIES).join('|');
const arches = REGISTERED_ARCHITECTURES.map((a) => a.id).join('|');

/** --help of a command: the usage on stdout, exit 0. */
export function showUsage(): number {
  process.stdout.write(USAGE + '\n');
  return 0;
}

/** The CLI's help; the firmware and live module choices come from their registries. */
export const USAGE = `usage:
  pxe-harness run [--iso PATH]... [--project NAME]... [--scenario NAME|GLOB]... [--grep RE] [--grep-invert RE] [--out DIR] [--login USER:PASSWORD]
                  [--boot-timeout-s N] [--memory-mb N] [--cpus N] [--keep-temp] [--shard I/N] [--keep] [--jobs N]
                  [--retries N] [--debug-rerun on|off] [--max-failures N] [--config FILE] [--reporter NAME,...]
                  [--baseline FILE] [--regression-threshold PCT] [--tls-ca CERT,KEY]
                  [--accel auto|tcg|kvm] [--tcg-thread multi|single] [--known-issues FILE] [--firmware ${firmwares}]
                  [--scenarios FILE|DIR]... [--netboot ${netboots}] [--live-module ${modules}] [--arch ${arches}]
  pxe-harness list [--scenarios FILE|DIR]... [--scenario NAME|GLOB]... [--grep RE] [--grep-invert RE] [--shard I/N] [--json]
  pxe-harness init [FILE]
  pxe-harness doctor
  pxe-harness reproduce DIR [--out DIR]
  pxe-harness merge DIR... [--out DIR]
  pxe-harness inspect --iso FILE [--json] [--firmware LIST] [--scenarios FILE|DIR]...
  pxe-harness --version

run     boots each scenario (all by default) and prints one line per scenario:
        verdict, name, seconds, reason. Without --iso it uses the built-in fixture ISO
        (built on first use by images/build-fixture.sh, as root).
        Exit status: 0 all passed, 1 a scenario failed, 2 bad input or a broken host.
        --accel auto (default) probes whether KVM really runs a guest and falls back to TCG;
        kvm fails (exit 2) when it does not; tcg skips the probe. An ISO of another
        architecture than the host's boots under TCG (no probe; kvm is refused).
        --tcg-thread single runs every vCPU of a TCG boot on one host thread (QEMU's
        -accel tcg,thread=single; default multi): see docs/benchmarks.md for the kernel
        text-patching race that multi-threaded TCG can lose.
        --known-issues FILE (default: known-issues.json of the package) lists known defects:
        a boot failing as listed is XFAIL (exit 0), passing despite it is XPASS (exit 1).
        Several --iso, or the projects of a config (projects: [{ name, iso, firmware, scenario,
        ... }], as Playwright's), boot in one run: one worker pool over every ISO's scenarios,
        longest first, each project reporting into OUT/<name>/ (an ISO's name is its file's) and
        its terminal lines beginning [name]. --project NAME picks projects; the command line's
        --scenario and --grep narrow each project's selection.
        --jobs N boots N scenarios side by side (default: one per core, as memory allows), each
        with cores/N vCPUs unless --cpus says otherwise.
        --shard I/N runs every N-th scenario starting with the I-th, for a CI matrix.
        --reporter NAME,... the run's reporters (default terminal,json,junit,html,conformance):
        ${Object.entries(RUN_REPORTERS).map(([name, r]) => `${name}: ${r.what}`).join(';\n        ')}.
        --baseline FILE compares the run with an earlier one (its results.json): verdict changes
        and each boot's phase times, on the terminal, in results.json and in report.html (a chart);
        --regression-threshold PCT fails the run (exit 1) when a phase took more than PCT % longer
        than in the baseline (and 2 s or more: below that a phase's change is TCG's noise).
        --config FILE reads the options from a config file (default: pxe-harness.config.ts, .mts,
        .js or .mjs in the current folder, if there is one): export default defineConfig({...})
        from 'pxe-harness', each option in camelCase (bootTimeoutS, maxFailures, firmware: [...]),
        paths relative to the file; an option on the command line wins.
        --retries N boots a boot that ended in an infrastructure ERROR (never a FAIL) again, up to
        N times (default 1, 0 never; at most 5). --debug-rerun on (the default) boots a boot that
        FAILed in the initrd once more with the live module's own debug log and dracut's emergency
        shell on, into <boot folder>-debug; its evidence is named in the reason, the verdict stays
        the first boot's; off: never. --max-failures N starts no more scenarios once N have failed
        (FAIL, ERROR, XPASS); the rest are SKIPPED as not run (default 0: never stop).
        --firmware: ${Object.values(FIRMWARES).map((f) => `${f.id} (${f.description})`).join(', ')},
        a comma-separated list of them (e.g. bios,uefi,uefi-secure), or both (every firmware
        without Secure Boot): with several, every scenario once per firmware, reported as NAME@FIRMWARE.
        A name means the ISO's architecture's firmware: on aarch64 uefi is ${ALL_FIRMWARES.filter((f) => f.architecture !== 'x86_64').map((f) => f.description).join(', ')};
        without --firmware an ISO boots under its architecture's default (x86_64: bios, aarch64: uefi),
        and a firmware the architecture lacks SKIPs each scenario with the reason.
        --netboot: how every network boot loads kernel and initrd (default ${DEFAULT_NETBOOT}):
        ${Object.entries(NETBOOT_FAMILIES).map(([id, what]) => `${id}: ${what}`).join(';\n        ')}.
        --live-module: which dracut module boots the ISO is read from its initrd
        (${Object.values(LIVE_MODULES).map((m) => `${m.id}: ${m.description}`).join('; ')});
        this option overrides it and must agree. Without --iso it picks the built-in fixture
        of that module. Scenarios that ask for what the module does not do are SKIPPED.
        --arch: the guest's architecture is read from the ISO (KIWI's /boot/<arch>/loader folder;
        the kernel's header must agree, else exit 2); this option may say it, never contradict it
        (${REGISTERED_ARCHITECTURES.map((a) => `${a.id}: ${a.description}`).join('; ')}).
        --tls-ca CERT,KEY: the PEM certificate and key of a CA the ISO trusts; scenarios that
        publish over https with a trusted certificate (ram-deploy-https-verified) have it issued
        by this CA, and SKIP without one. The built-in fixtures trust a test CA of their own
        build (tls-ca.crt, tls-ca.key beside the fixture ISO), used when no --iso is given.
        --memory-mb N: guest memory, 256 up to the host's memory (default ${RUN_DEFAULTS.memoryMb}); --cpus N: vCPUs
        per boot, at most the host's cores; --boot-timeout-s N: 1 to 86400 (default ${RUN_DEFAULTS.bootTimeoutMs / 1000}).
        Every option, the ISO and the --out folder are checked before anything starts.
        Reports: results.json, junit.xml, report.html and conformance.md (the seed's options
        against what this run's boots showed) in --out.
        --scenarios FILE|DIR (repeatable) loads your own scenario files (TypeScript or JavaScript,
        each default-exporting defineScenario(...)) and runs them instead of the built-in ones;
        --scenario NAME picks among both; a glob (--scenario 'ram-*') picks every name it matches.
        --grep RE / --grep-invert RE keep the scenarios whose name or summary matches / does not
        (a regular expression, case ignored). A selection of nothing is refused (exit 2).
        See docs/writing-scenarios.md.
list    prints the scenarios a run with the same selection flags would boot, and what each
        proves; --json prints them as JSON (name, summary, boots, file).
init    writes a commented starter scenario file for your ISO (default: my-iso.scenario.ts).
        --keep: when a boot fails with its machine still running, its console is handed to
        this terminal (Ctrl-] quits and cleans up).
reproduce  boots the setup of a run's boot folder DIR again (same ISO, TFTP root, publisher,
        disks, kernel options; the scenario's earlier boots first) with the serial console on
        this terminal. Ctrl-] quits; everything is cleaned up.
inspect reads the ISO before any boot (no mount, no root): live module and the file that shows
        it, volume id and preparer, partition table, EFI system partition, signed chain, kernel
        signature, the initrd's tools for each option (curl, xz, dolly, checkmedia, checkisomd5,
        dmsetup, mkfs.xfs/ext4) and CA bundle, the media check tag, the ISO against the default
        memory; then each scenario on each firmware that would be SKIPPED (the run's reason) or
        meet a known issue. --json for CI.
merge   joins the output folders of shards (a run split with --shard over CI machines) into one
        run: results.json, junit.xml and report.html in --out (default merged/), pointing at each
        shard's own evidence. Refuses shards of different ISOs (name, size, volume id) or harness
        versions, an unfinished shard, a scenario in two shards. Exit status as run's.
doctor  checks the host (tools, pxelinux, KVM, free disk and memory) and says how to fix it.`;
