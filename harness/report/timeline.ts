import { BOOT_PHASES } from '../console/phases.js';
import type { Transfer } from '../publish/transfer-log.js';

/** One bar of a boot's timeline, in milliseconds after QEMU's start. */
export interface TimelineEvent {
  id: string;
  label: string;
  startMs: number;
  endMs: number;
  detail?: string;
}

/**
 * The boot as a sequence of phases (each lasting until the next one seen) plus the transfers
 * the publisher made, placed on the same clock.
 */
export function buildTimeline(
  phases: Record<string, number>,
  endMs: number,
  transfers: Transfer[],
  machineStartedAtMs: number | undefined,
): TimelineEvent[] {
  const seen = BOOT_PHASES.filter((p) => phases[p.id] !== undefined).map((p) => ({ ...p, at: phases[p.id]! }));
  const events: TimelineEvent[] = seen.map((p, i) => ({
    id: p.id,
    label: p.label,
    startMs: p.at,
    endMs: Math.max(p.at, seen[i + 1]?.at ?? endMs),
  }));
  if (machineStartedAtMs !== undefined) {
    for (const t of transfers.filter((x) => x.method !== 'HEAD')) {
      const startMs = t.startedAtMs - machineStartedAtMs;
      const rate = t.durationMs > 0 ? `${(t.bytesSent / 1e6 / (t.durationMs / 1000)).toFixed(1)} MB/s` : '';
      events.push({
        id: 'transfer',
        label: `${t.protocol} ${t.path}`,
        startMs,
        endMs: startMs + t.durationMs,
        detail: `${t.status}${t.complete ? '' : ' incomplete'}, ${(t.bytesSent / 1024 ** 2).toFixed(1)} MiB${rate ? `, ${rate}` : ''}`,
      });
    }
  }
  return events;
}
