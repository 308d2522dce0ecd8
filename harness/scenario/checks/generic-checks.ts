import type { Check } from '../define-scenario.js';

/**
 * Checks for an ISO's own promises, written by users in their scenario files: a command's output
 * or exit status, a file's content, a systemd unit's state, a console line seen during the boot,
 * the time to `login:`. Each names what it asked and what it saw.
 */

const quote = (text: string) => JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** A command in the guest exits with this status (default 0) and, if asked, prints something matching. */
export function commandSucceeds(command: string, expect: { exitCode?: number; output?: RegExp | string } = {}): Check {
  const status = expect.exitCode ?? 0;
  const want = expect.output === undefined ? '' : ` and prints ${expect.output instanceof RegExp ? expect.output : quote(expect.output)}`;
  return {
    name: `\`${command}\` exits ${status}${want}`,
    async run({ shell }) {
      const result = await (await shell()).run(command);
      const printed = expect.output === undefined || (expect.output instanceof RegExp ? expect.output.test(result.output) : result.output.includes(expect.output));
      return { ok: result.exitCode === status && printed, detail: `status ${result.exitCode}, output ${quote(result.output)}` };
    },
  };
}

/** A file in the guest holds text matching the pattern (or containing the string). */
export function fileContains(path: string, pattern: RegExp | string): Check {
  return {
    name: `${path} contains ${pattern instanceof RegExp ? pattern : quote(pattern)}`,
    async run({ shell }) {
      const result = await (await shell()).run(`cat -- '${path.replaceAll("'", `'\\''`)}'`);
      if (result.exitCode !== 0) return { ok: false, detail: `cannot read ${path} (status ${result.exitCode}): ${quote(result.output)}` };
      const ok = pattern instanceof RegExp ? pattern.test(result.output) : result.output.includes(pattern);
      return { ok, detail: `${path}: ${quote(result.output)}` };
    },
  };
}

/** A systemd unit is in this state (`systemctl is-active`: active by default). */
export function unitIs(unit: string, state = 'active'): Check {
  return {
    name: `systemd unit ${unit} is ${state}`,
    async run({ shell }) {
      const result = await (await shell()).run(`systemctl is-active -- '${unit.replaceAll("'", `'\\''`)}'`);
      const seen = result.output.trim() || `(nothing; status ${result.exitCode})`;
      return { ok: seen === state, detail: `systemctl is-active ${unit}: ${seen}` };
    },
  };
}

/** A console line matching the pattern was seen during the boot (no login needed). */
export function consoleShows(pattern: RegExp): Check {
  return {
    name: `the console showed a line matching ${pattern}`,
    async run({ consoleLines }) {
      const line = consoleLines.find((l) => pattern.test(l.text));
      return { ok: Boolean(line), detail: line ? `at ${(line.tMs / 1000).toFixed(1)} s: ${quote(line.text.trim())}` : `no line of ${consoleLines.length} matched` };
    },
  };
}

/** The login prompt came within this long after QEMU started (no login needed). */
export function loginWithinMs(boundMs: number): Check {
  if (!(boundMs > 0)) throw new RangeError(`loginWithinMs needs a positive bound in milliseconds, got ${boundMs}`);
  return {
    name: `login: within ${(boundMs / 1000).toFixed(0)} s of QEMU's start`,
    async run({ timeline }) {
      const at = timeline.login;
      if (at === undefined) return { ok: false, detail: 'no login prompt was seen' };
      return { ok: at <= boundMs, detail: `login: after ${(at / 1000).toFixed(1)} s (bound ${(boundMs / 1000).toFixed(1)} s)` };
    },
  };
}
