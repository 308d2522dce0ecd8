import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureIsoPath } from '../../harness/iso/fixture-iso.js';
import { isoTransferredOnce } from '../../harness/runner/checks.js';
import { runScenarios } from '../../harness/runner/run-all.js';
import { defineScenario } from '../../harness/runner/scenario.js';
import ramDeployFtp from '../../scenarios/ram-deploy-ftp.js';
import ramDeployHttp from '../../scenarios/ram-deploy-http.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Real boots: the fixture ISO, real QEMU under TCG, real pxelinux over slirp TFTP, the real
// publishers. Each boot takes a few minutes on these machines.
let iso: string;
let outDir: string;
let before: Leftovers;

beforeAll(async () => {
  iso = await fixtureIsoPath({ progress: false });
  outDir = await mkdtemp(join(tmpdir(), 'pxe-boot-test-'));
  before = await leftovers();
});

afterAll(async () => {
  const left = await newLeftovers(before);
  expect(left, 'no QEMU, relay or temp dir may be left behind').toEqual({ processes: [], tempDirs: [] });
});

describe('RAM deploy of the fixture ISO', () => {
  it.each([ramDeployHttp, ramDeployFtp])('$name: PASS with one complete transfer, a login prompt and / in RAM', async (scenario) => {
    const [result] = await runScenarios({ isoPath: iso, scenarios: [scenario], outDir });
    expect(result!.verdict, result!.reason).toBe('PASS');
    const [boot] = result!.boots;
    const fetches = boot!.transfers.filter((t) => t.method !== 'HEAD');
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toMatchObject({ protocol: scenario.publish.protocol, complete: true });
    expect(boot!.checks.map((c) => [c.name, c.ok])).toEqual(scenario.boots[0]!.checks.map((c) => [c.name, true]));
    expect(boot!.checks[1]!.detail).toMatch(/\/dev\/ram0 \/run\/overlay\/live/);
    if (scenario === ramDeployHttp) {
      // Hermetic: the unforwarded canary on the host's loopback was refused, the publisher answered.
      expect(boot!.checks[2]!.detail).toMatch(/curl exit [1-9]\d*, canary saw 0 connection\(s\); forwarded publisher: HTTP 200/);
    }
    expect(boot!.timeline.login).toBeGreaterThan(boot!.timeline.kernel!);
  });
});

describe('a broken setup', () => {
  const timeoutMs = 900_000;
  const broken = defineScenario({
    name: 'broken-url',
    summary: 'the boot entry asks for an ISO the publisher does not serve',
    publish: { protocol: 'http', requestPath: '/image/missing.iso' },
    boots: [{ name: 'network boot', from: 'network', timeoutMs, checks: [isoTransferredOnce()] }],
  });

  it('FAILs naming the failed transfer, long before the boot timeout', async () => {
    const [result] = await runScenarios({ isoPath: iso, scenarios: [broken], outDir });
    expect(result!.verdict).toBe('FAIL');
    expect(result!.reason).toMatch(/transfer failed: http GET \/image\/missing\.iso -> 404/);
    // Judged from the publisher's log and the guest's reaction, not by running into the deadline.
    expect(result!.reason).not.toMatch(/within \d+ s/);
    expect(result!.durationMs).toBeLessThan(timeoutMs / 2);
  });
});
