import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

export interface TlsCertificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * A throwaway self-signed certificate for the guest-side address of the https publisher, made by
 * openssl (Node cannot issue X.509 certificates itself). It lives in the scenario's temp dir and
 * is valid for two days: the guest has no CA for it, so a boot over https must either trust it
 * (rd.kiwi.live.curl_options=--insecure) or fail, which is what the scenarios prove.
 */
export async function createSelfSignedCertificate(dir: string, address: string): Promise<TlsCertificate> {
  const openssl = await requireTool('openssl');
  const certPath = join(dir, 'publisher.crt');
  const keyPath = join(dir, 'publisher.key');
  await execa(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${address}`, '-addext', `subjectAltName=IP:${address}`,
    '-keyout', keyPath, '-out', certPath,
  ]);
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}
