import * as check from '../harness/scenario/checks/index.js';
import type { BootDefinition, ScenarioDefinition } from '../harness/scenario/define-scenario.js';
import type { OverlayStoreLayout } from '../harness/disk/disk-image.js';
import type { LiveBootOptions, OverlayStoreOptions } from '../harness/live/live-module.js';
import { overlayOptionNames } from '../harness/live/dracut.js';

/** The label of the overlay store's file system, as the boot entry names it (LABEL=...). */
const STORE_LABEL = 'pxe-overlay';

/**
 * dmsquash's persistence, as the seed says it is configured: "through the rd.live.overlay option
 * exclusively", a store the user prepares on a disk (here: by the harness, on the host). Four
 * network boots over one store:
 *  1. the store takes the writes (proven from `/` down to the disk), a marker is written;
 *  2. rd.live.overlay.readonly: the store's marker is visible, a second marker is written;
 *  3. again without options: the first marker is there, the read-only boot's is not;
 *  4. rd.live.overlay.reset: the store was emptied, the first marker is gone.
 */
export function overlayStoreLifecycle(kind: OverlayStoreLayout['kind'], spelling: 'module' | 'deprecated' = 'module'): Pick<ScenarioDefinition, 'appliesTo' | 'disks' | 'boots'> {
  const path = kind === 'snapshot-file' ? '/LiveOS/overlay.img' : '/LiveOS/overlayfs';
  const store: OverlayStoreOptions = { device: `LABEL=${STORE_LABEL}`, path };
  const live = (more: Partial<OverlayStoreOptions> = {}): LiveBootOptions => ({
    ...(kind === 'overlayfs-folder' ? { overlay: 'overlayfs' as const } : {}),
    overlayStore: { ...store, ...more },
  });
  const boot = (name: string, options: LiveBootOptions, checks: BootDefinition['checks']): BootDefinition =>
    spelling === 'module' ? { name, from: 'network', live: options, checks } : { name, from: 'network', kernelArgs: deprecatedNames(options.overlayStore!), checks };
  return {
    // The module's own judgement, also for a store spelt by hand in kernelArgs (which it would otherwise ignore).
    appliesTo: ({ liveModule, iso }) => liveModule.unsupported({ overlayStore: store }, iso.live, 'url'),
    disks: [{ name: 'overlay', size: '1G', format: 'raw', interface: 'virtio', contents: { overlayStore: { label: STORE_LABEL, path, kind } } }],
    boots: [
      boot('network boot writes into the store', live(), [check.writableLayerInStore(store), check.writeMarker('stored')]),
      boot('read-only: the store below a temporary layer', live({ readonly: true }), [check.markerPresent('stored'), check.writeMarker('read-only')]),
      boot('again: the store kept its data, not the read-only boot\'s', live(), [check.writableLayerInStore(store), check.markerPresent('stored'), check.markerAbsent('read-only')]),
      boot('reset: the store is emptied', live({ reset: true }), [check.writableLayerInStore(store), check.markerAbsent('stored')]),
    ],
  };
}

/** dracut's names before 110, which later ones still read (with a warning): the store spelt by hand. */
const OLD_NAMES = overlayOptionNames(undefined);
const deprecatedNames = (store: OverlayStoreOptions): string[] => [
  `${OLD_NAMES.store}=${store.device}:${store.path}`,
  ...(store.readonly ? [OLD_NAMES.readonly] : []),
  ...(store.reset ? [OLD_NAMES.reset] : []),
];

/** A store on a disk that is not there: the device spec names a label no disk has. */
export const MISSING_STORE: OverlayStoreOptions = { device: 'LABEL=pxe-no-such-disk', path: '/LiveOS/overlay.img' };
