import type { ReachedPhase } from '../console/phases.js';
import { isFetch, type Transfer } from '../publish/transfer-log.js';

import type { TimelineEvent } from '../scenario/result.js';

export type { TimelineEvent } from '../scenario/result.js';

/** The id of a transfer's bar (on a row of its own); every other bar is a phase, by its phase id. */
export const TRANSFER_EVENT_ID = 'transfer';

/**
 * The boot as a sequence of phases (each lasting until the next one seen) plus the transfers
 * the publisher made, placed on the same clock.
 */
export function buildTimeline(
  phases: readonly ReachedPhase[],
  endMs: number,
  transfers: Transfer[],
  machineStartedAtMs: number | undefined,
): TimelineEvent[] {
  const events: TimelineEvent[] = phases.map((p, i) => ({
    id: p.id,
    label: p.label,
    startMs: p.atMs,
    endMs: Math.max(p.atMs, phases[i + 1]?.atMs ?? endMs),
  }));
  if (machineStartedAtMs !== undefined) {
    for (const t of transfers.filter(isFetch)) {
      const startMs = t.startedAtMs - machineStartedAtMs;
      const rate = t.durationMs > 0 ? `${(t.bytesSent / 1e6 / (t.durationMs / 1000)).toFixed(1)} MB/s` : '';
      events.push({
        id: TRANSFER_EVENT_ID,
        label: `${t.protocol} ${t.path}`,
        startMs,
        endMs: startMs + t.durationMs,
        detail: `${t.status}${t.outcome === 'whole' ? '' : ` ${t.outcome}`}, ${(t.bytesSent / 1024 ** 2).toFixed(1)} MiB${rate ? `, ${rate}` : ''}`,
      });
    }
  }
  return events;
}
