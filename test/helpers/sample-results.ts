import type { ScenarioResult } from '../../harness/scenario/result.js';

/** Results shaped like a real run's: one passing scenario, one failing in its second boot. */
export function sampleResults(outDir: string): ScenarioResult[] {
  const boot = (name: string, verdict: 'PASS' | 'FAIL', dir: string) => ({
    name,
    verdict,
    reason: verdict === 'PASS' ? 'login prompt after 150.3 s; 2 check(s) held' : 'dracut gave up (FATAL): "dracut: FATAL: Failed to mount live ISO device" <&>',
    phase: verdict === 'PASS' ? 'login' : 'fetch-root',
    durationMs: 160_000,
    timeline: { firmware: 0, pxelinux: 5_800, kernel: 31_000, initrd: 40_000, 'fetch-root': 70_000, ...(verdict === 'PASS' ? { 'live-root': 115_000, system: 147_000, login: 150_000 } : {}) },
    events: [
      { id: 'firmware', label: 'firmware / PXE', startMs: 0, endMs: 5_800 },
      { id: 'pxelinux', label: 'pxelinux', startMs: 5_800, endMs: 31_000 },
      { id: 'kernel', label: 'kernel start', startMs: 31_000, endMs: 40_000 },
      { id: 'transfer', label: 'http /image/x.iso', startMs: 80_000, endMs: 92_000, detail: '200, 187.0 MiB, 16.3 MB/s' },
    ],
    kernelArgs: ['ip=dhcp', 'root=live:http://10.0.2.100/image/x.iso', 'console=ttyS0'],
    transfers: [
      { protocol: 'http' as const, method: 'GET', path: '/image/x.iso', outcome: verdict === 'PASS' ? ('whole' as const) : ('partial' as const), status: 200, complete: verdict === 'PASS', bytesSent: 1000, sizeBytes: 1000, startedAtMs: 0, durationMs: 12_000, client: '127.0.0.1:1' },
    ],
    bootFileTransfers: [],
    checks: [{ name: 'the ISO was transferred exactly once and in full', ok: verdict === 'PASS', detail: 'http GET /image/x.iso -> 200' }],
    warnings: verdict === 'PASS' ? [] : ['dracut-initqueue[373]: Warning: Falling back to temporary overlay'],
    disks: [],
    artifactsDir: `${outDir}/${dir}`,
    consoleTail: ['[ 25.18] dracut: FATAL: Failed to mount live ISO device', '[ 26.04] reboot: Power down'],
  });
  return [
    { name: 'ram-deploy-http', summary: 'RAM deploy over http', verdict: 'PASS', reason: 'all 1 boot(s) passed', durationMs: 161_000, boots: [boot('network boot into RAM', 'PASS', 'ram-deploy-http/boot-1')], artifactsDir: `${outDir}/ram-deploy-http` },
    {
      name: 'persistent-lifecycle',
      summary: 'deploy, keep, reset',
      verdict: 'FAIL',
      reason: 'boot 2 (b. network boot again): dracut gave up (FATAL)',
      durationMs: 320_000,
      boots: [boot('a. deploy', 'PASS', 'persistent-lifecycle/boot-1'), boot('b. network boot again', 'FAIL', 'persistent-lifecycle/boot-2')],
      artifactsDir: `${outDir}/persistent-lifecycle`,
    },
  ];
}
