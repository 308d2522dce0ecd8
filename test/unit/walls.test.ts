import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../harness/arch/index.js';
import { FIRMWARES } from '../../harness/firmware/index.js';
import { LIVE_MODULES } from '../../harness/live/index.js';
import { NETBOOT_LOADERS } from '../../harness/netboot/index.js';
import { PUBLISHERS, UNPUBLISHABLE } from '../../harness/publish/registry.js';
import {
  checkChoiceLiterals, checkDeps, checkLongFunctions, checkLoops, checkNoProcess, formatFindings, parseDepsList, readDepsLists, readSources,
  type ChoiceLiterals, type Source,
} from '../helpers/walls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sources = readSources(root, ['harness', 'cli']);
/** The engine and the scenario face: they run and declare scenarios without naming any choice. */
const choiceBlind = sources.filter((s) => /^harness\/(engine|scenario)\//.test(s.path));
const reporters = sources.filter((s) => s.path.startsWith('harness/report/'));
const PROCESS_MODULES = ['node:child_process', 'child_process', 'execa', 'harness/process/', 'harness/qemu/'];

/** Every choice the registries know, and the kinds of facts that belong to a choice's own file. */
const CHOICE_LITERALS: ChoiceLiterals = {
  words: [
    ...Object.keys(ARCHITECTURES), ...Object.keys(FIRMWARES), ...Object.keys(LIVE_MODULES), ...Object.keys(PUBLISHERS), ...Object.keys(UNPUBLISHABLE),
    ...NETBOOT_LOADERS.map((l) => l.id),
    // The families behind the ids: a loader, a firmware or a module spelled by its program's name.
    'pxelinux', 'lpxelinux', 'grub', 'seabios', 'ovmf', 'ipxe', 'kiwi', 'livenet', 'vblade',
  ],
  patterns: [
    { pattern: /(^|[\s'"=,(])rd\.[a-z]/, what: 'a dracut kernel option (rd.*)' },
    { pattern: /root=live:|ramdisk_size=|ip=dhcp|console=tty/, what: 'a kernel option' },
    { pattern: /(^|[\s'"=:(])\/dev\/[a-z]/, what: 'a device path' },
    { pattern: /(^|[\s'"=:(])\/boot\//, what: 'a boot-file path' },
    { pattern: /\/run\/(initramfs|overlay)/, what: "a live module's mount point" },
  ],
};

describe('the walls of the house, each written as a test', () => {
  it('every import that leaves a folder is allowed by the DEPS.list governing it', () => {
    expect(formatFindings(checkDeps(sources, readDepsLists(root, ['harness', 'cli'])))).toBe('');
  });

  it('no folder imports a folder that imports it back, and no file cycle', () => {
    expect(formatFindings(checkLoops(sources))).toBe('');
  });

  it('no function in harness/ or cli/ is over 60 lines', () => {
    expect(formatFindings(checkLongFunctions(sources, 60))).toBe('');
  });

  it("the engine and the scenario face hold none of a choice's literals", () => {
    expect(choiceBlind.length).toBeGreaterThan(20);
    expect(formatFindings(checkChoiceLiterals(choiceBlind, CHOICE_LITERALS))).toBe('');
  });

  it('reporters start no process', () => {
    expect(reporters.length).toBeGreaterThan(3);
    expect(formatFindings(checkNoProcess(reporters, PROCESS_MODULES))).toBe('');
  });
});

describe('each wall catches a leak planted in it', () => {
  const file = (path: string, text: string): Source => ({ path, text });

  it('an import its DEPS.list does not allow, and one it does', () => {
    const lists = [parseDepsList('harness/engine', '../live/index.ts\n../console/ # building blocks\n')];
    const leak = file('harness/engine/x.ts', "import { kiwiLive } from '../live/kiwi-live.js';\nimport { a } from '../console/wait.js';\nimport { b } from '../live/index.js';\nimport { c } from './y.js';\n");
    const findings = checkDeps([leak], lists);
    expect(findings.map((f) => `${f.line} ${f.message}`)).toEqual(['1 imports harness/live/kiwi-live.ts, which harness/engine/DEPS.list does not allow']);
    expect(checkDeps([file('harness/other/x.ts', '')], lists)[0]?.rule).toBe('missing-deps-list');
  });

  it('a folder loop and a file cycle', () => {
    const findings = checkLoops([
      file('harness/console/a.ts', "import { w } from '../wait/b.js';"),
      file('harness/wait/b.ts', "import { a } from '../console/a.js';"),
    ]);
    expect(findings.map((f) => f.rule)).toEqual(['folder-loop', 'file-cycle']);
    expect(findings[0]!.message).toBe('folders import each other: harness/console -> harness/wait -> harness/console');
  });

  it('a function of 61 lines, and not one of 60', () => {
    const body = (n: number) => `export function f${n}() {\n${'  x();\n'.repeat(n - 2)}}\n`;
    expect(checkLongFunctions([file('harness/a.ts', body(60))], 60)).toEqual([]);
    expect(checkLongFunctions([file('harness/a.ts', `const g = () => {\n${'  x();\n'.repeat(59)}};\n`)], 60)[0]?.message).toBe('g has 61 lines (at most 60)');
  });

  it("a choice's id, kernel option, device or boot-file path in a literal; not in a comment", () => {
    const leak = file(
      'harness/engine/x.ts',
      "// kiwi-live and /dev/ram0 in a comment are fine\nif (target.firmware === 'uefi') x();\nconst a = `rd.kiwi.live.system=${d}`;\nconst b = /\\/dev\\/ram0/;\nconst c = ['/boot/linux'];\nconst ok = 'the boot file';\n",
    );
    const findings = checkChoiceLiterals([leak], CHOICE_LITERALS);
    expect(findings.map((f) => f.line)).toEqual([2, 3, 4, 5]);
    expect(findings[0]!.message).toBe('the literal "uefi" names the choice "uefi"');
  });

  it('a reporter that imports a process launcher', () => {
    const findings = checkNoProcess([file('harness/report/r.ts', "import { execa } from 'execa';\nimport { x } from '../scenario/result.js';")], PROCESS_MODULES);
    expect(findings.map((f) => f.line)).toEqual([1]);
  });
});
