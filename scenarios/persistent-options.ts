import type { LiveBootOptions } from '../harness/live/live-module.js';

/**
 * The seed's "Persistent Live System" boot options, as documented:
 * `ramdisk_size=3545728 rd.kiwi.live.system=/dev/sda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs`.
 */
export const DEPLOY_TO_SDA: LiveBootOptions = { ramdiskSizeKiB: 3545728, system: '/dev/sda' };

export const persistentDeploy = (cowfs: 'xfs' | 'ext4'): LiveBootOptions => ({ ...DEPLOY_TO_SDA, persistent: { cowfs } });

/** The seed's disk: `qemu-img create mydisk.raw 3G`, attached as `-hda` (/dev/sda). */
export const SEED_DISK = { name: 'system', size: '3G', format: 'raw', interface: 'ide' } as const;
