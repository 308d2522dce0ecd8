import { composeConsoleKnowledge, type ConsoleKnowledge } from '../console/console-knowledge.js';
import type { Architecture } from '../arch/architecture.js';
import type { Firmware } from '../firmware/firmware.js';
import type { LiveImageFacts, LiveModuleProfile, LiveSource } from '../live/live-module.js';
import { EMERGENCY_SHELL_ARGS } from '../live/index.js';
import { netbootLoaderFor, type NetbootLoader } from '../netboot/index.js';
import type { PhaseBlame } from './verdict-rules.js';
import { FIRST_INITRD_PHASE } from '../console/phases.js';
import type { BootDefinition, Check, ScenarioDefinition } from '../scenario/define-scenario.js';
import { kernelRanBootEntry, secureBootOn } from '../scenario/checks/guest-checks.js';
import { deliversAndMustPass, planDelivery, type DeliveryPlan } from './delivery-proof.js';

/** One boot's choice on every axis, and what follows from it: its kernel options and console knowledge. */
export interface BootPlan {
  firmware: Firmware;
  /** The netboot loader; none for a boot from the disk. */
  loader?: NetbootLoader;
  liveModule: LiveModuleProfile;
  kernelArgs: string[];
  console: ConsoleKnowledge;
  blame: PhaseBlame;
  /** Every check of the boot: its own, then the proofs the harness adds (delivery, the path taken, Secure Boot). */
  checks: Check[];
  /** Who witnesses the delivery of the ISO. */
  delivery: DeliveryPlan['witness'];
}

export function planBoot(
  scenario: Pick<ScenarioDefinition, 'needsLogin'>,
  boot: BootDefinition,
  axes: { firmware: Firmware; arch: Architecture; netboot?: string; liveModule: LiveModuleProfile; liveFacts?: LiveImageFacts; source: LiveSource; accel: 'tcg' | 'kvm' },
): BootPlan {
  const { firmware, liveModule, source } = axes;
  const loader = boot.from === 'network' ? netbootLoaderFor(firmware.id, boot.loader ?? 'tftp', axes.netboot, axes.arch.id) : undefined;
  const debug = boot.debugEvidence ? [...liveModule.debug.kernelArgs, ...EMERGENCY_SHELL_ARGS] : [];
  const kernelArgs = boot.from === 'network' ? [...liveModule.kernelArgs(source, { ...boot.live, console: axes.arch.serialConsole }, axes.liveFacts), ...debug, ...(boot.kernelArgs ?? [])] : [];
  const knowledge = composeConsoleKnowledge({ firmware, loader, liveModule });
  const delivery = planDelivery(scenario, boot);
  // The path taken is proven where the guest can be asked: a network boot that logs in and must not fail.
  const path = deliversAndMustPass(boot) && scenario.needsLogin !== false ? [kernelRanBootEntry(kernelArgs)] : [];
  // A firmware that enforces Secure Boot has every boot that logs in prove it was on (disk boots too).
  const secure = firmware.secureBoot && !boot.expectFailure && scenario.needsLogin !== false ? [secureBootOn()] : [];
  return {
    firmware, ...(loader ? { loader } : {}), liveModule, kernelArgs, console: knowledge, blame: phaseBlame(knowledge, loader, axes.accel),
    checks: [...delivery.checks, ...path, ...secure], delivery: delivery.witness,
  };
}

function phaseBlame(knowledge: ConsoleKnowledge, loader: NetbootLoader | undefined, accel: 'tcg' | 'kvm'): PhaseBlame {
  const ids = knowledge.phases.map((p) => p.id);
  const initrd = ids.indexOf(FIRST_INITRD_PHASE);
  return {
    beforeInitrd: (phase) => ids.indexOf(phase) >= 0 && ids.indexOf(phase) < initrd,
    loaderPhases: loader?.phases.map((p) => p.id) ?? [],
    hostSignatures: accel === 'tcg' ? knowledge.failSignatures.filter((s) => s.blameUnderTcg === 'host').map((s) => s.id) : [],
  };
}
