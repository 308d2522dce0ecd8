import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../harness/errors.js';
import { findKnownIssue, loadKnownIssues } from '../../harness/engine/known-issues.js';
import type { BootResult } from '../../harness/scenario/result.js';
import { applyKnownIssues } from '../../harness/engine/verdict-rules.js';
import { worstVerdict } from '../../harness/scenario/result.js';
import { SCENARIOS } from '../../scenarios/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-known-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const passed = { name: 'b', verdict: 'PASS', reason: 'ok' } as BootResult;

describe('known issues', () => {
  it("the project's known-issues.json is valid and names real scenarios and boots", async () => {
    const issues = await loadKnownIssues(join(import.meta.dirname, '..', '..', 'known-issues.json'));
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      const scenario = SCENARIOS.find((s) => s.name === issue.scenario);
      expect(scenario, issue.scenario).toBeDefined();
      expect(scenario!.boots.map((b) => b.name)).toContain(issue.boot);
      expect(issue.link).toMatch(/^https:\/\//);
      // Every entry of the project is a defect of one live module's code, and says which.
      expect(['kiwi-live', 'dmsquash'], issue.scenario).toContain(issue.liveModule);
    }
  });

  it('matches a failure by scenario, boot and reason, and nothing else', () => {
    const issues = [{ scenario: 's', boot: 'b', reason: 'cow.*Falling back', why: 'w', link: 'https://x' }];
    const at = { scenario: 's', boot: 'b', firmware: 'bios', liveModule: 'kiwi-live', arch: 'x86_64' };
    expect(findKnownIssue(issues, at, 'no cow mounted; "Warning: Falling back to temporary overlay"')).toBe(issues[0]);
    expect(findKnownIssue(issues, at, 'kernel panic')).toBeUndefined();
    expect(findKnownIssue(issues, { ...at, boot: 'other boot' }, 'cow; Falling back')).toBeUndefined();
  });

  it("a known issue of one live module's code concerns only boots by that module: the other's pass is no XPASS", () => {
    const issues = [{ scenario: 's', boot: 'b', reason: 'no --location', why: 'w', link: 'https://x', liveModule: 'kiwi-live' }];
    const at = { scenario: 's', boot: 'b', firmware: 'bios', liveModule: 'kiwi-live', arch: 'x86_64' };
    expect(findKnownIssue(issues, at, 'no --location')).toBe(issues[0]);
    expect(findKnownIssue(issues, { ...at, liveModule: 'dmsquash' }, 'no --location')).toBeUndefined();
    expect(applyKnownIssues(passed, issues, at).verdict).toBe('XPASS');
    expect(applyKnownIssues(passed, issues, { ...at, liveModule: 'dmsquash' }).verdict).toBe('PASS');
  });

  it('a known issue that names an architecture concerns only boots of that architecture', () => {
    const issues = [{ scenario: 's', boot: 'b', reason: 'by-label', why: 'w', link: 'https://x', arch: 'aarch64' }];
    const at = { scenario: 's', boot: 'b', firmware: 'uefi', liveModule: 'kiwi-live', arch: 'aarch64' };
    expect(findKnownIssue(issues, at, 'by-label')).toBe(issues[0]);
    expect(findKnownIssue(issues, { ...at, arch: 'x86_64' }, 'by-label')).toBeUndefined();
  });

  it('refuses a broken file, naming it and the missing field', async () => {
    const path = join(dir, 'known.json');
    await writeFile(path, JSON.stringify([{ scenario: 's', boot: 'b', reason: '(' , why: 'w', link: 'l' }]));
    await expect(loadKnownIssues(path)).rejects.toThrow(/reason is not a valid regular expression: "\("/);
    await writeFile(path, JSON.stringify([{ scenario: 's' }]));
    await expect(loadKnownIssues(path)).rejects.toThrow(/known issue #1 in .* lacks "boot"/);
    await writeFile(path, '{ nope');
    await expect(loadKnownIssues(path)).rejects.toBeInstanceOf(HarnessError);
  });

  it('orders verdicts: ERROR, FAIL, XPASS, XFAIL, PASS', () => {
    expect(worstVerdict(['PASS', 'XFAIL'])).toBe('XFAIL');
    expect(worstVerdict(['XFAIL', 'XPASS'])).toBe('XPASS');
    expect(worstVerdict(['XPASS', 'FAIL'])).toBe('FAIL');
    expect(worstVerdict(['FAIL', 'ERROR'])).toBe('ERROR');
    expect(worstVerdict(['PASS'])).toBe('PASS');
  });
});
