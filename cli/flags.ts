import { resolve } from 'node:path';
import { inputError } from '../harness/errors.js';
import { checkTlsAuthority, type TlsAuthority } from '../harness/publish/tls-certificate.js';
import { FIRMWARES, type FirmwareId } from '../harness/firmware/index.js';
import type { FirmwareChoice } from '../harness/engine/firmware-matrix.js';
import { outOfLimit, type RunLimit } from '../harness/engine/run-config.js';
import type { Credentials } from '../harness/console/serial-shell.js';

/** The CLI's flag parsers: each refuses a bad value with the flag, the value quoted and the fix. */

/**
 * A whole number option within its limit (see runLimits), refused with the value quoted:
 * "--memory-mb must be at least 256 (MiB of guest memory), got "10"". Only plain digits: Number()
 * would also take "1e3", "0x10" or " 2 ".
 */
export function boundedInteger(name: string, value: string | undefined, limit: RunLimit, example: number): number | undefined {
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
export function pathOption(name: string, value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw inputError(`--${name} must name ${what}, got ${JSON.stringify(value)}`, `--${name} ${JSON.stringify(value)}`, `pass the path of ${what} with --${name}, or leave the option out`);
  return value;
}

/** --tls-ca CERT,KEY: the two paths, made absolute (checkTlsAuthority reads them). */
function parseTlsCa(value: string | undefined): { certPath: string; keyPath: string } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  if (parts.length !== 2 || parts.some((p) => !p.trim())) {
    throw inputError(`--tls-ca must be CERT,KEY (two paths, a comma between), got ${JSON.stringify(value)}`, `--tls-ca ${value}`, 'pass the PEM certificate and private key of a CA the ISO trusts, e.g. --tls-ca ca.crt,ca.key');
  }
  // Absolute, as reproduce.json keeps them: reproduce may run from another folder.
  return { certPath: resolve(parts[0]!.trim()), keyPath: resolve(parts[1]!.trim()) };
}

/** The CA of --tls-ca CERT,KEY (run's flag, reproduce.json's field), its two files checked; none when not given. */
export async function tlsAuthorityOption(value: string | undefined): Promise<TlsAuthority | undefined> {
  const given = parseTlsCa(value);
  return given ? checkTlsAuthority(given.certPath, given.keyPath) : undefined;
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

/** --firmware: a firmware of the registry, a comma-separated list of them, or both (every firmware without Secure Boot). */
export function parseFirmware(value: string): FirmwareChoice {
  if (value === 'both') return value;
  const ids = value.split(',');
  const unknown = ids.filter((id) => !(id in FIRMWARES));
  if (ids.length && !unknown.length) return ids.length === 1 ? (ids[0] as FirmwareId) : (ids as FirmwareId[]);
  throw inputError(
    `--firmware must be one of ${Object.keys(FIRMWARES).join(', ')}, a comma-separated list of them, or both; got ${JSON.stringify(value)} (unknown: ${unknown.map((u) => JSON.stringify(u)).join(', ')})`,
    `--firmware ${value}`,
    `pass e.g. --firmware ${Object.keys(FIRMWARES).join(',')}`,
  );
}

/** --login USER:PASSWORD, typed on the serial console. */
export function parseLogin(value: string | undefined): Credentials | undefined {
  if (value === undefined) return undefined;
  const [user, ...rest] = value.split(':');
  if (!user || rest.length === 0) throw inputError(`--login must be USER:PASSWORD, got ${JSON.stringify(value)}`, `--login ${value}`, 'pass e.g. --login root:linux');
  // Typed on the serial console: a control character (a newline, a tab) would end or garble it.
  if (/[\x00-\x1f\x7f]/.test(value)) throw inputError(`--login must not hold control characters, got ${JSON.stringify(value)}`, `--login ${JSON.stringify(value)}`, 'pass the user and password as typed at the login prompt, e.g. --login root:linux');
  return { user, password: rest.join(':') };
}

/** A flag with a fixed set of values ("--accel must be auto, tcg or kvm, got ..."). */
export function oneOf<T extends string>(name: string, value: string, choices: readonly T[], fix: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const list = choices.length > 2 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : choices.join(' or ');
  throw inputError(`--${name} must be ${list}, got ${JSON.stringify(value)}`, `--${name} ${value}`, fix);
}
