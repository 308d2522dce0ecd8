import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HarnessError, inputError, isHarnessError } from '../harness/errors.js';
import { refuseUnknownFields, type KnownFields } from '../harness/scenario/known-fields.js';
import { importUserModule } from '../harness/scenario/scenario-files.js';

/**
 * pxe-harness.config.ts: every option of `run` as a field, so that a team keeps its ISO, scenario
 * files, firmwares and limits in its repository (as playwright.config.ts does). A field is the
 * option's name in camelCase (`--boot-timeout-s` is `bootTimeoutS`); an option given on the
 * command line wins over the file. Paths are relative to the file's folder.
 */
export interface PxeHarnessConfig {
  /** The ISO; several: one project each (OUT/<file name>/), all in one worker pool. */
  iso?: string | string[];
  scenarios?: string | string[];
  scenario?: string | string[];
  grep?: string;
  grepInvert?: string;
  shard?: string;
  out?: string;
  login?: string;
  bootTimeoutS?: number;
  memoryMb?: number;
  cpus?: number;
  keepTemp?: boolean;
  keep?: boolean;
  jobs?: number;
  retries?: number;
  /** 'on' (default): a boot that FAILed in the initrd is booted again with the live module's debug log on; 'off': never. */
  debugRerun?: 'on' | 'off';
  maxFailures?: number;
  accel?: 'auto' | 'tcg' | 'kvm';
  tcgThread?: 'multi' | 'single';
  knownIssues?: string;
  /** One firmware, or several: every scenario once per firmware. */
  firmware?: string | string[];
  netboot?: string;
  liveModule?: string;
  /** The guest's architecture; read from the ISO unless given (then it must agree). */
  arch?: string;
  /** Reporter names (RUN_REPORTERS): terminal or line, json, junit, html, conformance. */
  reporter?: string | string[];
  /** An earlier run's results.json to compare with, and the slowdown in percent that fails the run. */
  baseline?: string;
  regressionThreshold?: number;
  /** The CA the ISO trusts, as 'CERT,KEY' (both relative to this file): the https publisher's trusted certificate is issued from it. */
  tlsCa?: string;
  /**
   * Several ISOs in one run (as Playwright's projects): each boots its scenarios on its firmwares
   * into OUT/<name>/, all in one worker pool. A project's fields win over the config's; the
   * command line's scenario selection (--scenario, --grep) narrows each project's, and --project
   * NAME picks projects. --iso on the command line replaces the projects.
   */
  projects?: PxeHarnessProject[];
}

/** One project of a config: an ISO (the built-in fixture without one) and what it is booted with, each field as the config's own. */
export interface PxeHarnessProject extends Pick<PxeHarnessConfig, 'firmware' | 'scenario' | 'grep' | 'grepInvert' | 'liveModule' | 'arch' | 'netboot' | 'tlsCa'> {
  /** Its output folder below --out, and how the terminal names its lines: letters, digits, . _ - */
  name: string;
  iso?: string;
}

const PROJECT_FIELDS = {
  name: true, iso: true, firmware: true, scenario: true, grep: true, grepInvert: true, liveModule: true, arch: true, netboot: true, tlsCa: true,
} as const satisfies KnownFields<PxeHarnessProject>;

const CONFIG_FIELDS = {
  iso: true, scenarios: true, scenario: true, grep: true, grepInvert: true, shard: true, out: true, login: true, bootTimeoutS: true, memoryMb: true,
  cpus: true, keepTemp: true, keep: true, jobs: true, retries: true, debugRerun: true, maxFailures: true, accel: true, tcgThread: true, knownIssues: true, firmware: true,
  netboot: true, liveModule: true, arch: true, reporter: true, baseline: true, regressionThreshold: true, tlsCa: true, projects: true,
} as const satisfies KnownFields<PxeHarnessConfig>;

/** The fields that are paths, resolved against the config file's folder. */
const PATH_FIELDS = new Set<string>(['iso', 'scenarios', 'out', 'knownIssues', 'baseline']);
/** The fields that are comma-separated paths, each resolved against the config file's folder. */
const PATH_LIST_FIELDS = new Set<string>(['tlsCa']);
/** The fields that take one value or a list (a flag given several times, or a comma-separated one). */
const LIST_FIELDS = new Set<string>(['iso', 'scenarios', 'scenario', 'firmware', 'reporter']);
const DEFINED = Symbol.for('pxe-harness.config');

/** The config, its fields checked: a misspelt one is refused with the closest name. */
export function defineConfig(config: PxeHarnessConfig): PxeHarnessConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new RangeError(`the config must be an object of run's options, got ${JSON.stringify(config)}`);
  refuseUnknownFields(config, '', 'the config (the options of run, in camelCase)', CONFIG_FIELDS);
  if (config.projects !== undefined && !Array.isArray(config.projects)) throw new RangeError(`field projects must be a list of projects ({ name, iso, ... }), got ${JSON.stringify(config.projects)}`);
  config.projects?.forEach((project, i) => {
    if (typeof project !== 'object' || project === null || Array.isArray(project)) throw new RangeError(`field projects[${i}] must be a project ({ name, iso, ... }), got ${JSON.stringify(project)}`);
    refuseUnknownFields(project, `projects[${i}]`, 'a project', PROJECT_FIELDS);
  });
  return Object.assign({ ...config }, { [DEFINED]: true });
}

/** A field's flag: `bootTimeoutS` is `boot-timeout-s`. */
export const flagOf = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The config files looked for in the current folder when no --config is given, first found wins. */
export const CONFIG_FILE_NAMES = ['pxe-harness.config.ts', 'pxe-harness.config.mts', 'pxe-harness.config.js', 'pxe-harness.config.mjs'];

export interface LoadedConfig {
  file: string;
  /** Flag values, as the command line would give them (strings, booleans, string lists). */
  values: Record<string, string | boolean | string[]>;
  /** The config's projects, each field as its flag's value (paths resolved). */
  projects?: { name: string; values: LoadedConfig['values'] }[];
}

/** The config named by --config, else the first of CONFIG_FILE_NAMES in the current folder, else none. */
export async function loadConfig(explicit: string | undefined): Promise<LoadedConfig | undefined> {
  const exists = (path: string) => access(path).then(() => true, () => false);
  let file: string | undefined;
  if (explicit !== undefined) {
    file = resolve(explicit);
    if (!(await exists(file))) throw inputError(`config file ${explicit} does not exist`, `--config ${explicit}`, 'pass the path of a pxe-harness.config.ts (see pxe-harness run --help)');
  } else {
    for (const name of CONFIG_FILE_NAMES) if (!file && (await exists(resolve(name)))) file = resolve(name);
  }
  if (!file) return undefined;
  const module = await importUserModule(file, 'config file');
  const config = module.default as (PxeHarnessConfig & { [DEFINED]?: true }) | undefined;
  if (!config?.[DEFINED]) {
    throw inputError(`config file ${file} ${config === undefined ? 'has no default export' : 'default-exports something else'}: it must \`export default defineConfig({...})\``, file, "import { defineConfig } from 'pxe-harness' and export its result as default");
  }
  const { projects, ...options } = config;
  return { file, values: flagValues(file, options), ...(projects ? { projects: projectValues(file, projects) } : {}) };
}

/** Each project's fields as flag values; a name that is not a plain folder name, or twice, is refused. */
function projectValues(file: string, projects: readonly PxeHarnessProject[]): NonNullable<LoadedConfig['projects']> {
  const seen = new Set<string>();
  return projects.map(({ name, ...fields }, i) => {
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name) || name === '.' || name === '..' || seen.has(name)) {
      const why = seen.has(name) ? 'names another project too' : 'must be a folder name (letters, digits, . _ -)';
      throw inputError(`config file ${file}: projects[${i}].name ${why}, got ${JSON.stringify(name)}`, `${file}: projects[${i}].name`, 'give each project a name of its own, e.g. name: "dmsquash"');
    }
    seen.add(name);
    return { name, values: flagValues(file, fields, `projects[${i}].`) };
  });
}

/** Each field as its flag's value, its type checked (the flag's own check then judges the value). */
function flagValues(file: string, config: Omit<PxeHarnessConfig, 'projects'>, at = ''): LoadedConfig['values'] {
  const values: LoadedConfig['values'] = {};
  const bad = (field: string, value: unknown, want: string) => inputError(`config file ${file}: field ${at}${field} must be ${want}, got ${JSON.stringify(value)}`, `${file}: ${at}${field}`, `fix field ${at}${field} of the config${at ? '' : ` (or pass --${flagOf(field)} on the command line, which wins)`}`);
  for (const [field, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const asPath = (v: string) =>
      PATH_FIELDS.has(field) ? resolve(dirname(file), v) : PATH_LIST_FIELDS.has(field) ? v.split(',').map((p) => (p ? resolve(dirname(file), p) : p)).join(',') : v;
    if (field === 'keep' || field === 'keepTemp') {
      if (typeof value !== 'boolean') throw bad(field, value, 'true or false');
      values[flagOf(field)] = value;
    } else if (LIST_FIELDS.has(field)) {
      const list: unknown[] = Array.isArray(value) ? value : [value];
      if (!list.length || list.some((v) => typeof v !== 'string' || !v)) throw bad(field, value, 'a name or a list of names');
      const names = list as string[];
      values[flagOf(field)] = field === 'firmware' || field === 'reporter' ? names.join(',') : names.map(asPath);
    } else if (typeof value === 'number') {
      values[flagOf(field)] = String(value);
    } else if (typeof value === 'string' && value) {
      values[flagOf(field)] = asPath(value);
    } else {
      throw bad(field, value, 'a non-empty string or a number');
    }
  }
  return values;
}

/**
 * The command line's values with the config's beneath them: a flag the command line names
 * (`explicit`) keeps its value, every other takes the config's where it has one.
 */
export function mergeConfig<V extends Record<string, unknown>>(values: V, explicit: ReadonlySet<string>, config: LoadedConfig | undefined): V {
  if (!config) return values;
  const merged: Record<string, unknown> = { ...values };
  for (const [flag, value] of Object.entries(config.values)) if (!explicit.has(flag)) merged[flag] = value;
  return merged as V;
}

/** The flags the command line names, from commandArgs' normalised arguments (`--name=value`, `--name`). */
export function explicitFlags(args: readonly string[]): Set<string> {
  return new Set(args.filter((a) => a.startsWith('--') && a !== '--').map((a) => a.slice(2).split('=')[0]!));
}

/**
 * A refusal of a value that came from the config names the file and the field (the flag's check
 * names only the flag); any other error passes as it is.
 */
export function blameConfig(error: unknown, config: LoadedConfig | undefined, explicit: ReadonlySet<string>, project?: number): unknown {
  if (!config || !isHarnessError(error) || error.kind !== 'input') return error;
  const flag = /^--([\w-]+)/.exec(error.context.input ?? '')?.[1];
  if (!flag || explicit.has(flag)) return error;
  // A project's own field first (it won over the config's), then the config's.
  const fromProject = project !== undefined && flag in (config.projects?.[project]?.values ?? {});
  if (!fromProject && !(flag in config.values)) return error;
  const field = `${fromProject ? `projects[${project}].` : ''}${flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`;
  return new HarnessError('input', `config file ${config.file}, field ${field}: ${error.message}`, { input: `${config.file}: ${field}`, ...(error.context.fix ? { fix: `${error.context.fix} (field ${field} of the config${fromProject ? '' : `, or --${flag} on the command line`})` } : {}) }, { cause: error });
}
