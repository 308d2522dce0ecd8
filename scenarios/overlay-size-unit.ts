import { writableLayerSize, defineScenario } from '../harness/scenario/index.js';

/**
 * The same option with a bare number, as dracut's documentation writes it (MiB): what each module
 * makes of rd.live.overlay.size=256. dmsquash: 256 MiB; kiwi-live hands 256 to tmpfs's size=,
 * which reads bytes (rounded up to a page: 4 KiB, and the system still boots). The check expects
 * what the module's own code makes of it (LiveModuleProfile.overlaySizeUnit, read in its source):
 * KIWI's documentation gives no unit for this option, so kiwi-live's bytes are not called a defect.
 */
export default defineScenario({
  name: 'overlay-size-unit',
  summary: 'rd.live.overlay.size=256 (a bare number, dracut documents MiB): the room of the writable layer each module makes of it',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot with rd.live.overlay.size=256', from: 'network', kernelArgs: ['rd.live.overlay.size=256'], checks: [writableLayerSize({ bareNumber: 256 })] }],
});
