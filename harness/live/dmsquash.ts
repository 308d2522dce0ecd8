import type { LiveBootOptions, LiveImageFacts, LiveModuleProfile, LiveSource } from './live-module.js';
import { dracutVersion, overlayOptionNames } from './dracut.js';

/** livenet's only switch for curl's certificate check. */
const NO_VERIFY_SSL = 'rd.noverifyssl';

/** What dmsquash-live does not do, with the seed's words for it. */
const UNSUPPORTED: { option: keyof LiveBootOptions; why: string }[] = [
  { option: 'persistent', why: 'dmsquash "does not support the automatic creation of a write partition in disk mode" (the seed); its persistence is rd.live.overlay=DEVICE:PATH only' },
  { option: 'system', why: 'dmsquash-live has no deploy to a disk (rd.kiwi.live.system is kiwi-live\'s): livenet keeps the ISO as a file in the initramfs' },
  { option: 'reset', why: 'dmsquash-live has no rd.kiwi.live.reset (there is no deployed disk to reset)' },
  { option: 'curlOptions', why: `dmsquash's livenet runs curl with fixed options (only ${NO_VERIFY_SSL} and proxy= change them): there is no rd.kiwi.live.curl_options` },
  { option: 'ramdiskSizeKiB', why: 'dmsquash-live does not use a brd RAM disk, so ramdisk_size has nothing to size: livenet downloads the ISO into the initramfs' },
];

/** The overlay's kernel options, in the spelling of the ISO's dracut (see overlayOptionNames). */
function overlayArgs(options: LiveBootOptions, facts: LiveImageFacts | undefined): string[] {
  const names = overlayOptionNames(facts && dracutVersion(facts.initrdFiles));
  const store = options.overlayStore;
  const args = options.overlay === 'overlayfs' ? [names.overlayfs] : [];
  if (!store) return args;
  return [
    // The new boolean rd.overlay is implied by rd.overlay=DEVICE:PATH: no second rd.overlay.
    ...args.filter((a) => a !== names.store),
    `${names.store}=${store.device}:${store.path}`,
    ...(store.reset ? [names.reset] : []),
    ...(store.readonly ? [names.readonly] : []),
    ...(store.noPrompt ? ['rd.live.overlay.nouserconfirmprompt'] : []),
  ];
}

/** livenet fetches URLs only: an AoE source is refused by unsupported() before any boot. */
function urlOf(source: LiveSource): string {
  if (source.kind !== 'url') throw new RangeError(`dmsquash boots root=live:URL only, not an ${source.kind} source`);
  return source.url;
}

/**
 * dracut's dmsquash-live with livenet (`flags="dmsquash"`). On `root=live:URL` livenet fetches
 * the ISO with curl (`--location --retry 3`, then up to 100 attempts 5 s apart) into a file under
 * /tmp of the initramfs, attaches it to a loop device (/run/initramfs/livedev) and mounts it at
 * /run/initramfs/live. The root is LiveOS/squashfs.img: its LiveOS/rootfs.img under a
 * device-mapper snapshot (/dev/mapper/live-rw) by default, or overlayfs over /run/rootfsbase when
 * asked (rd.live.overlay.overlayfs; rd.overlay from dracut 110) or when the squashfs holds the root tree itself.
 */
export const dmsquash: LiveModuleProfile<'dmsquash'> = {
  id: 'dmsquash',
  description: "dracut's dmsquash-live with livenet (flags=\"dmsquash\")",
  insecureTlsOption: NO_VERIFY_SSL,
  kernelArgs: (source: LiveSource, options: LiveBootOptions & { console: string }, facts?: LiveImageFacts) => [
    'ip=dhcp',
    `root=live:${urlOf(source)}`,
    `console=${options.console}`,
    ...(options.insecureTls ? [NO_VERIFY_SSL] : []),
    ...(options.ramCopy ? ['rd.live.ram'] : []),
    ...overlayArgs(options, facts),
    ...(options.overlaySizeMiB !== undefined ? [`rd.live.overlay.size=${options.overlaySizeMiB}`] : []),
    ...(options.mediaCheck ? ['rd.live.check'] : []),
  ],
  ramImageLocator: 'd=$(readlink -f /run/initramfs/livedev); echo "$d"; echo "loop device $d backed by $(losetup -n -O BACK-FILE "$d") (a file in the initramfs, in RAM)"',
  rootExpectation: (options: LiveBootOptions, facts: LiveImageFacts) =>
    options.overlay === 'overlayfs' || facts.squashfs?.holdsRootfsImage === false
      ? {
          describe: options.overlay === 'overlayfs' ? 'overlayfs (rd.live.overlay.overlayfs, rd.overlay from dracut 110)' : 'overlayfs (the squashfs holds the root tree, no LiveOS/rootfs.img for a device-mapper snapshot)',
          matches: (fstype) => fstype === 'overlay',
        }
      : { describe: 'the device-mapper snapshot /dev/mapper/live-rw (dmsquash\'s default overlay)', matches: (_fstype, source) => source === '/dev/mapper/live-rw' },
  unsupported: (options: LiveBootOptions, facts: LiveImageFacts, sourceKind: LiveSource['kind']) => {
    const hit = UNSUPPORTED.find((u) => options[u.option] !== undefined && options[u.option] !== false);
    if (hit) return hit.why;
    if (sourceKind === 'aoe') return "root=live:AOEINTERFACE= is kiwi-live's (the seed: the overlay module's network boot over AoE); dmsquash's network boot is livenet's root=live:URL";
    if (options.fetchCompressed) return `a root=live: URL ending in .${options.fetchCompressed} is kiwi-live's (its fetch pipes through xz -d); dmsquash's livenet boots the downloaded file itself (losetup for a .iso, else the file as the image) and documents no compressed ISO`;
    if (options.overlaySizeMiB !== undefined && (options.overlay === 'overlayfs' || options.overlayStore || facts.squashfs?.holdsRootfsImage === false)) {
      return 'rd.live.overlay.size sizes only the temporary device-mapper overlay (dracut.cmdline(7)), and this boot\'s overlay is overlayfs or a persistent store';
    }
    if (options.fetchFileName !== undefined && !options.fetchFileName.endsWith('.iso')) {
      return `livenet attaches a download as an ISO (losetup) only when its file name ends in .iso, and this URL's is ${options.fetchFileName}: livenetroot would hand the ISO to dmsquash-live-root as the live root image itself`;
    }
    if (options.mediaCheck && !facts.initrdFiles.some((f) => /(^|\/)checkisomd5$/.test(f))) return "rd.live.check runs checkisomd5, and this ISO's initrd has none (isomd5sum was not in the image)";
    if (options.mediaCheck && !facts.isomd5Tag) return 'the ISO carries no implantisomd5 checksum for rd.live.check to verify (KIWI: mediacheck="true" with the runtime option iso: media_tag_tool: isomd5sum)';
    return undefined;
  },
  initrdMarkers: [/(^|\/)dmsquash-live-root$/],
  netbootRequires: { file: /(^|\/)livenetroot$/, what: "dracut's livenet module, which fetches root=live:URL (without it dmsquash boots only local media)" },
  // rd.live.debug: dmsquash-live-root's xtrace into /tmp/liveroot.PID.out (livenet's curl errors reach the journal).
  debug: { kernelArgs: ['rd.live.debug'], files: ['/tmp/liveroot.*.out', '/run/initramfs/rdsosreport.txt'], consoleServices: /livenet|dmsquash[\w-]*/ },
  // rd.live.ram: dmsquash-live-root.sh copies the squashfs here and runs from a loop device over it.
  ramCopy: { path: '/run/initramfs/squashed.img' },
  mediaCheck: { tool: /(^|\/)checkisomd5$/, toolName: 'checkisomd5', passed: { console: /The media check is complete, the result is: PASS/ } },
  writableLayerMount: '/run/overlayfs',
  overlaySizeUnit: { bytes: 1024 ** 2, readIn: 'dmsquash-live-root: dd of=/overlay seek=$((overlay_size * 1024)) in KiB blocks, so MiB, as dracut.cmdline(7) documents' },
  cowLabel: '',
  initrdTools: [
    { tool: 'curl', neededFor: 'root=live:http|https|ftp (livenet fetches with curl)' },
    { tool: 'checkisomd5', neededFor: 'rd.live.check' },
    { tool: 'dmsetup', neededFor: 'the device-mapper snapshot overlay (the default)' },
  ],
  diskDeployRewrites: () => [],
  phases: [{ id: 'fetch-root', marker: /livenet: root image at|fetching (?:https?|ftp|tftp):\/\/|Starting dracut-initqueue|dracut-initqueue\[\d+\]/, label: 'initqueue: livenet fetches the live root' }],
  failSignatures: [
    { id: 'dmsquash-media-check-failed', pattern: /Media check failed!|The media check is complete, the result is: FAIL/, meaning: 'the media check (checkisomd5) found the ISO damaged; dmsquash would now sleep 12 hours' },
    {
      // livenet would try again up to 100 times, 5 s apart (over 8 minutes): the first failed
      // attempt decides, with curl's own error on the console just before it.
      id: 'livenet-download-failed',
      pattern: /failed to download live image(?:: error \d+| after \d+ attempts)/,
      meaning: 'livenet failed to fetch the ISO (it would retry up to 100 times, 5 s apart)',
      quotePreviousLine: true,
    },
    {
      // dmsquash-live-root asks with systemd-ask-password --timeout=0 (or read): no answer ever comes.
      id: 'dmsquash-overlay-prompt',
      pattern: /Press \[Enter\] to continue/,
      meaning: 'dmsquash found no persistent overlay where rd.live.overlay points and waits at the console for Enter, for ever (rd.live.overlay.nouserconfirmprompt goes on without asking)',
      quotePreviousLine: true,
    },
    { id: 'dmsquash-no-root', pattern: /Failed to find a root filesystem in|cannot mount live image|Failed to mount block device of live image/, meaning: 'dmsquash-live found no live root in the fetched image' },
  ],
  warningSignatures: [
    { id: 'livenet-curl-error', pattern: /dracut-initqueue\[\d+\]: curl: \(\d+\) .+/, meaning: "livenet's curl reported an error" },
    { id: 'dmsquash-temporary-overlay', pattern: /Unable to find a persistent overlay; using a temporary one/, meaning: 'dmsquash uses a temporary overlay' },
  ],
};
