import { describe, expect, it } from 'vitest';
import { findKnownIssue } from '../../harness/engine/known-issues.js';
import { firmwareIds, firmwareJobs, splitFirmware } from '../../harness/engine/firmware-matrix.js';
import { ARCHITECTURES } from '../../harness/arch/index.js';
import { firmwareMissing } from '../../harness/firmware/index.js';
import { defineScenario } from '../../harness/scenario/index.js';
import { renderGrubConfig } from '../../harness/netboot/grub-config.js';

const x86 = ARCHITECTURES.x86_64;
const arm = ARCHITECTURES.aarch64;
const scenario = (name: string, firmware?: 'bios' | 'uefi') =>
  defineScenario({ name, summary: 's', publish: { protocol: 'http' }, ...(firmware ? { firmware } : {}), boots: [{ name: 'b', from: 'network', checks: [] }] });

describe('the firmware matrix', () => {
  it('one firmware: the scenarios as they are, on it', () => {
    const jobs = firmwareJobs([scenario('a'), scenario('b')], 'uefi', x86);
    expect(jobs.map((j) => [j.scenario.name, j.firmware.id])).toEqual([['a', 'uefi'], ['b', 'uefi']]);
  });

  it('both: every scenario once per firmware, each a result of its own named NAME@FIRMWARE', () => {
    const jobs = firmwareJobs([scenario('a'), scenario('b')], 'both', x86);
    expect(jobs.map((j) => [j.scenario.name, j.firmware.id])).toEqual([['a@bios', 'bios'], ['a@uefi', 'uefi'], ['b@bios', 'bios'], ['b@uefi', 'uefi']]);
    expect(splitFirmware('a@uefi')).toEqual({ scenario: 'a', firmware: 'uefi' });
  });

  it('a list: every scenario once per firmware listed, each once; both is every firmware without Secure Boot', () => {
    const jobs = firmwareJobs([scenario('a')], ['uefi', 'uefi-secure', 'uefi'], x86);
    expect(jobs.map((j) => [j.scenario.name, j.firmware.id])).toEqual([['a@uefi', 'uefi'], ['a@uefi-secure', 'uefi-secure']]);
    expect(firmwareIds('both')).toEqual(['bios', 'uefi']);
    // A list of one is one firmware: the scenario keeps its own name.
    expect(firmwareJobs([scenario('a')], ['uefi-secure'], x86).map((j) => j.scenario.name)).toEqual(['a']);
  });

  it('a scenario that pins its firmware runs on that one only, under its own name', () => {
    expect(firmwareJobs([scenario('pinned', 'uefi')], 'both', x86).map((j) => [j.scenario.name, j.firmware.id])).toEqual([['pinned', 'uefi']]);
    expect(firmwareJobs([scenario('pinned', 'uefi')], 'bios', x86).map((j) => j.firmware.id)).toEqual(['uefi']);
  });

  it('per architecture: a name is that architecture\'s firmware, both and no choice are its own, a firmware it lacks is kept to be SKIPPED', () => {
    expect(firmwareIds('both', arm)).toEqual(['uefi']);
    expect(firmwareIds(undefined, arm)).toEqual(['uefi']);
    expect(firmwareIds(undefined, x86)).toEqual(['bios']);
    const [uefi] = firmwareJobs([scenario('a')], 'uefi', arm);
    expect([uefi!.firmware.architecture, uefi!.firmware.machineType]).toEqual(['aarch64', 'virt,gic-version=max']);
    expect(firmwareMissing(uefi!.firmware, 'aarch64')).toBeUndefined();
    const [bios] = firmwareJobs([scenario('a')], 'bios', arm);
    expect(bios!.firmware.architecture).toBe('x86_64');
    expect(firmwareMissing(bios!.firmware, 'aarch64')).toMatch(/a firmware of x86_64, and the ISO is for aarch64, which boots under uefi$/);
  });

  it('known issues match the scenario under either name, and only on their firmware when they name one', () => {
    const issues = [
      { scenario: 'lifecycle', boot: 'd', reason: 'mkfs', why: 'w', link: 'l' },
      { scenario: 'lifecycle', boot: 'a', reason: 'Value out of range', why: 'gpt', link: 'l', firmware: 'uefi' },
    ];
    const at = (scenario: string, boot: string, firmware: string) => ({ scenario, boot, firmware, liveModule: 'kiwi-live', arch: 'x86_64' });
    expect(findKnownIssue(issues, at('lifecycle@uefi', 'd', 'uefi'), 'mkfs refused')?.why).toBe('w');
    expect(findKnownIssue(issues, at('lifecycle', 'a', 'uefi'), 'Value out of range')?.why).toBe('gpt');
    expect(findKnownIssue(issues, at('lifecycle@bios', 'a', 'bios'), 'Value out of range')).toBeUndefined();
  });
});

describe('the GRUB (EFI) boot entry', () => {
  it("carries exactly the seed's kernel options, kernel and initrd from the source, on the serial console", () => {
    const cfg = renderGrubConfig('', ['ip=dhcp', 'root=live:http://10.0.2.100/image/x.iso', 'console=ttyS0']);
    expect(cfg).toContain('    linux /boot/linux ip=dhcp root=live:http://10.0.2.100/image/x.iso console=ttyS0\n');
    expect(cfg).toContain('    initrd /boot/initrd\n');
    expect(cfg).toMatch(/^terminal_output console$/m);
    expect(renderGrubConfig('(http,10.0.2.100:8080)', ['a=1'])).toContain('linux (http,10.0.2.100:8080)/boot/linux a=1');
  });

  it("quotes a word GRUB's script would split or expand, and refuses one with a space", () => {
    expect(renderGrubConfig('', ["root=live:http://h/x.iso?a=1&b=$c;d"])).toContain("linux /boot/linux 'root=live:http://h/x.iso?a=1&b=$c;d'");
    expect(() => renderGrubConfig('', ['a b'])).toThrow(/"a b"/);
  });
});
