import type { ScenarioDefinition } from '../harness/scenario/define-scenario.js';
import corruptedIso from './corrupted-iso.js';
import diskDeployNotPersistent from './disk-deploy-not-persistent.js';
import diskDeployStandalone from './disk-deploy-standalone.js';
import netbootKernelMissing from './netboot-kernel-missing.js';
import persistentExt4 from './persistent-ext4.js';
import persistentLifecycle from './persistent-lifecycle.js';
import ramDeployFtp from './ram-deploy-ftp.js';
import ramDeployHttp from './ram-deploy-http.js';
import ramDeployHttpLpxelinux from './ram-deploy-http-lpxelinux.js';
import ramDeployHttps from './ram-deploy-https.js';
import liveRamCopy from './live-ram-copy.js';
import mediaCheck from './media-check.js';
import mediaCheckCorrupted from './media-check-corrupted.js';
import overlayOverlayfs from './overlay-overlayfs.js';
import ramdiskSizeUnit from './ramdisk-size-unit.js';
import usedDiskDeploy from './used-disk-deploy.js';
import curlOptionsCommaForm from './curl-options-comma-form.js';
import diskDeployById from './disk-deploy-by-id.js';
import httpRedirect from './http-redirect.js';
import isoNotReadyAtFirst from './iso-not-ready-at-first.js';
import xzCompressedIso from './xz-compressed-iso.js';
import dollyDeploy from './dolly-deploy.js';
import aoeBoot from './aoe-boot.js';
import urlWithQuery from './url-with-query.js';
import httpsUntrustedCertificate from './https-untrusted-certificate.js';
import ramDeployHttpsVerified from './ram-deploy-https-verified.js';
import ramdiskTooSmall from './ramdisk-too-small.js';
import stalledIso from './stalled-iso.js';
import truncatedIso from './truncated-iso.js';
import secureBootKernelAltered from './secure-boot-kernel-altered.js';
import overlayStoreSnapshot from './overlay-store-snapshot.js';
import overlayStoreOverlayfs from './overlay-store-overlayfs.js';
import overlayStoreSnapshotDeprecated from './overlay-store-snapshot-deprecated.js';
import overlayStoreMissing from './overlay-store-missing.js';
import isoNamedOtherwise from './iso-named-otherwise.js';
import overlaySize from './overlay-size.js';
import overlaySizeUnit from './overlay-size-unit.js';
import overlayStoreMissingNoprompt from './overlay-store-missing-noprompt.js';

/** Every scenario of the main job, in the order they run. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  ramDeployHttp,
  ramDeployFtp,
  ramDeployHttpLpxelinux,
  ramDeployHttps,
  ramdiskTooSmall,
  httpsUntrustedCertificate,
  ramDeployHttpsVerified,
  truncatedIso,
  corruptedIso,
  netbootKernelMissing,
  secureBootKernelAltered,
  stalledIso,
  liveRamCopy,
  overlayOverlayfs,
  mediaCheck,
  mediaCheckCorrupted,
  persistentLifecycle,
  persistentExt4,
  diskDeployNotPersistent,
  diskDeployStandalone,
  ramdiskSizeUnit,
  usedDiskDeploy,
  urlWithQuery,
  httpRedirect,
  isoNotReadyAtFirst,
  xzCompressedIso,
  dollyDeploy,
  aoeBoot,
  curlOptionsCommaForm,
  diskDeployById,
  overlayStoreSnapshot,
  overlayStoreOverlayfs,
  overlayStoreSnapshotDeprecated,
  overlayStoreMissing,
  isoNamedOtherwise,
  overlaySize,
  overlaySizeUnit,
  overlayStoreMissingNoprompt,
];
