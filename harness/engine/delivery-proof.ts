import { liveImageDelivered } from '../scenario/checks/image-checks.js';
import type { BootDefinition, Check, ScenarioDefinition } from '../scenario/define-scenario.js';
import type { BootResult, DeliveryWitness } from '../scenario/result.js';

/** A boot's checks with the proof of delivery in place, and who witnesses the delivery. */
export interface DeliveryPlan {
  checks: Check[];
  /** Undefined for boots that deliver nothing to prove (from the disk) or must fail (negative boots). */
  witness?: DeliveryWitness;
}

/** What the publisher's log can say of a transfer: never that it arrived. */
const SERVER_WORD = "the publisher's log says only what it wrote to the connection, not what arrived";

/** A boot that delivers the ISO and must pass: one from the network that is no negative boot. */
export const deliversAndMustPass = (boot: BootDefinition) => boot.from === 'network' && !boot.expectFailure;

/**
 * Every network boot that logs in proves from the guest that the ISO arrived (issue: a RAM disk
 * 3 MiB short of the ISO passed on the server's word). A boot whose checks already prove it keeps
 * them; otherwise the proof is added. A scenario that needs no login, or turns the proof off, gets
 * a PASS that says it has no guest proof.
 */
export function planDelivery(scenario: Pick<ScenarioDefinition, 'needsLogin'>, boot: BootDefinition): DeliveryPlan {
  const checks = boot.checks;
  if (!deliversAndMustPass(boot)) return { checks };
  const own = checks.find((c) => c.proves === 'delivery');
  if (own) return { checks, witness: { by: 'guest', detail: own.name } };
  if (boot.deliveryProof === false) return { checks, witness: { by: 'server', detail: `the scenario turned the guest's proof off (deliveryProof: false); ${SERVER_WORD}` } };
  if (scenario.needsLogin === false) return { checks, witness: { by: 'server', detail: `the scenario needs no login (needsLogin: false), so no guest shell proves it; ${SERVER_WORD}` } };
  const proof = liveImageDelivered();
  return { checks: [...checks, proof], witness: { by: 'guest', detail: proof.name } };
}

/** The words a PASS adds about delivery: none when the guest proved it, a warning when nothing did. */
export function deliveryNote(witness: DeliveryWitness | undefined): string {
  return witness?.by === 'server' ? `; NO guest proof of delivery: ${witness.detail}` : '';
}

/** What a passed scenario's reason adds: each boot whose delivery only the publisher witnessed. */
export function unprovenDeliveries(boots: readonly BootResult[]): string {
  const unproven = boots.flatMap((b, i) => (b.delivery?.by === 'server' ? [`boot ${i + 1} (${b.name})`] : []));
  return unproven.length ? `; NO guest proof of delivery in ${unproven.join(', ')}` : '';
}
