import { composeConsoleKnowledge } from '../../harness/console/console-knowledge.js';
import { seabios } from '../../harness/firmware/seabios.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';
import { pxelinuxTftp } from '../../harness/netboot/pxelinux.js';

/** How the harness reads the console of the fixture's network boot: SeaBIOS, pxelinux, kiwi-live. */
export const BIOS_PXELINUX_KIWI = composeConsoleKnowledge({ firmware: seabios, loader: pxelinuxTftp, liveModule: kiwiLive });

/** The same boot from the deployed disk: no netboot loader. */
export const BIOS_DISK_KIWI = composeConsoleKnowledge({ firmware: seabios, liveModule: kiwiLive });
