import { basename, extname, join } from 'node:path';
import { inputError } from '../harness/errors.js';
import { closest } from '../harness/util/closest.js';
import type { LoadedConfig } from './config-file.js';
import type { SelectionValues } from './select-scenarios.js';

/** The flags of run a project reads, as parseArgs gives them. */
export interface ProjectFlags extends SelectionValues {
  iso?: string[] | undefined;
  out: string;
  project?: string[] | undefined;
}

/** One ISO of a run and its flags; a run of one ISO has a single unnamed project that writes into --out itself. */
export interface ProjectRequest<V extends ProjectFlags> {
  name?: string;
  /** Its place in the config's projects (for naming the field a refused value came from). */
  configIndex?: number;
  values: V;
  /** The project's own scenario selection: the run boots the scenarios both it and the command line select. */
  selection?: SelectionValues;
}

/** Flags of a config's project that select scenarios: they narrow, never widen, the run's selection. */
const SELECTION_OF_PROJECT = ['scenario', 'grep', 'grep-invert'] as const;

/**
 * The projects of a run. Several --iso: one project per ISO, named after its file (OUT/<name>/).
 * Else the config's projects, unless --iso on the command line replaces them: each takes the
 * run's flags with its own fields over the config's, but a flag the command line names wins, and
 * a scenario selection the command line names is narrowed by the project's (the scenarios both
 * select). --project NAME... keeps the projects named.
 */
export function projectRequests<V extends ProjectFlags>(values: V, explicit: ReadonlySet<string>, config: LoadedConfig | undefined): ProjectRequest<V>[] {
  const isos = values.iso ?? [];
  const fromConfig = config?.projects && !explicit.has('iso') ? config.projects : undefined;
  let projects: ProjectRequest<V>[];
  if (fromConfig) projects = fromConfig.map((p, i) => configProject(values, explicit, p, i));
  else if (isos.length > 1) projects = namesOf(isos).map((name, i) => ({ name, values: { ...values, iso: [isos[i]!] } }));
  else projects = [{ values }];
  return pickProjects(projects, values.project);
}

function configProject<V extends ProjectFlags>(values: V, explicit: ReadonlySet<string>, project: NonNullable<LoadedConfig['projects']>[number], configIndex: number): ProjectRequest<V> {
  const merged: Record<string, unknown> = { ...(values as Record<string, unknown>) };
  const selection: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(project.values)) {
    // A selection the command line names is narrowed by the project's; any other field of the
    // project replaces the config's own (and yields to a flag the command line names).
    if ((SELECTION_OF_PROJECT as readonly string[]).includes(flag) && explicit.has(flag)) selection[flag] = value;
    else if (!explicit.has(flag)) merged[flag] = value;
  }
  return { name: project.name, configIndex, values: merged as V, ...(Object.keys(selection).length ? { selection: { scenarios: values.scenarios, ...selection } } : {}) };
}

/** Each ISO's project name: its file name without .iso; a name taken already gets -2, -3, ... */
function namesOf(isos: readonly string[]): string[] {
  const taken = new Set<string>();
  return isos.map((iso) => {
    const raw = basename(iso, extname(iso)).replace(/[^\w.-]/g, '_');
    // A folder below --out: never empty, never . or .. (an ISO named `..iso`).
    const stem = raw && raw !== '.' && raw !== '..' ? raw : 'iso';
    let name = stem;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
    taken.add(name);
    return name;
  });
}

/** --project NAME...: the projects named, in the run's order; a name no project has is refused. */
function pickProjects<V extends ProjectFlags>(projects: ProjectRequest<V>[], names: readonly string[] | undefined): ProjectRequest<V>[] {
  if (!names?.length) return projects;
  const known = projects.flatMap((p) => (p.name ? [p.name] : []));
  for (const name of names) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    const fix = known.length ? `${near ? `did you mean ${near}? ` : ''}choose from: ${known.join(', ')}` : 'define projects in the config (projects: [...]) or pass several --iso';
    throw inputError(`--project ${JSON.stringify(name)} names no project of this run`, `--project ${name}`, fix);
  }
  return projects.filter((p) => p.name !== undefined && names.includes(p.name));
}

/** A project's output folder: its own below --out, or --out itself for a run of one ISO. */
export const projectOutDir = (out: string, name: string | undefined) => (name ? join(out, name) : out);
