import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { inputError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';
import type { TlsAuthority } from './publisher.js';

export type { TlsAuthority };

export interface TlsCertificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

const ELLIPTIC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A throwaway self-signed certificate for the guest-side address of the https publisher, made by
 * openssl (Node cannot issue X.509 certificates itself). It lives in the scenario's temp dir and
 * is valid for two days: the guest has no CA for it, so a boot over https must either trust it
 * (rd.kiwi.live.curl_options=--insecure) or fail, which is what the scenarios prove.
 */
export async function createSelfSignedCertificate(dir: string, address: string): Promise<TlsCertificate> {
  return makeCertificate(dir, address, []);
}

/** A two-day server certificate for the guest-side address, issued by the run's CA (a leaf: CA:FALSE, serverAuth). */
export async function issueCertificate(dir: string, address: string, authority: TlsAuthority): Promise<TlsCertificate> {
  return makeCertificate(dir, address, [
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth', '-CA', authority.certPath, '-CAkey', authority.keyPath,
  ]);
}

async function makeCertificate(dir: string, address: string, issuer: readonly string[]): Promise<TlsCertificate> {
  const openssl = await requireTool('openssl');
  const certPath = join(dir, 'publisher.crt');
  const keyPath = join(dir, 'publisher.key');
  await execa(openssl, [
    'req', '-x509', ...ELLIPTIC_KEY, '-days', '2', '-subj', `/CN=${address}`, '-addext', `subjectAltName=IP:${address}`, ...issuer,
    '-keyout', keyPath, '-out', certPath,
  ]);
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}

/**
 * The CA of `--tls-ca CERT,KEY`, checked before anything starts: a PEM certificate that is a CA
 * (basicConstraints CA:TRUE) and the private key of that certificate. Each refusal names the file.
 */
export async function checkTlsAuthority(certPath: string, keyPath: string): Promise<TlsAuthority> {
  const openssl = await requireTool('openssl');
  const given = `--tls-ca ${certPath},${keyPath}`;
  const fix = 'pass the PEM certificate and private key of a CA the ISO trusts, as CERT,KEY (the built-in fixtures keep theirs beside the ISO: tls-ca.crt, tls-ca.key)';
  const cert = await execa(openssl, ['x509', '-in', certPath, '-noout', '-subject', '-ext', 'basicConstraints', '-pubkey'], { reject: false, encoding: 'utf8' });
  if (cert.exitCode !== 0) throw inputError(`${certPath} is not a readable PEM certificate: ${firstLine(cert.stderr)}`, given, fix);
  if (!/CA:TRUE/.test(cert.stdout)) throw inputError(`${certPath} is not a CA certificate (no basicConstraints CA:TRUE): it cannot issue the publisher's certificate`, given, fix);
  // An empty passphrase: an encrypted key is refused here rather than asked for on the terminal mid-run.
  const key = await execa(openssl, ['pkey', '-in', keyPath, '-pubout', '-passin', 'pass:'], { reject: false, encoding: 'utf8' });
  if (key.exitCode !== 0) throw inputError(`${keyPath} is not a readable PEM private key without a passphrase: ${firstLine(key.stderr)}`, given, fix);
  if (!cert.stdout.includes(key.stdout.trim())) throw inputError(`${keyPath} is not the private key of ${certPath} (their public keys differ)`, given, fix);
  const subject = /^subject=\s*(.*)$/m.exec(cert.stdout)?.[1]?.trim() ?? certPath;
  return { certPath, keyPath, subject };
}

const firstLine = (text: string) => text.trim().split('\n')[0] || 'openssl gave no reason';
