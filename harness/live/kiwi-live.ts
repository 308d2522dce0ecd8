import type { LiveBootOptions, LiveImageFacts, LiveModuleProfile, LiveSource } from './live-module.js';

/** kiwi-live's options for its curl (the seed's comma form: it turns every comma into a space). */
const CURL_OPTIONS = 'rd.kiwi.live.curl_options';
/** The seed's way to fetch over https from a publisher whose certificate the initrd cannot verify. */
const INSECURE_TLS = `${CURL_OPTIONS}=--insecure`;

/** The root=live: value: the URL kiwi-live fetches, or its older AoE form naming the target. */
const rootOf = (source: LiveSource) => (source.kind === 'url' ? source.url : `AOEINTERFACE=e${source.shelf}.${source.slot}`);

/**
 * KIWI's own overlay module, dracut's 55kiwi-live (`flags="overlay"`). On `root=live:PROTO://`
 * it fetches the ISO with curl into a brd RAM disk (/dev/ram0) or onto rd.kiwi.live.system,
 * mounts it under /run/overlay/live and the writable layer under /run/overlay/overlayfs (a
 * partition labelled cow when persistent). It prints nothing of its own about the fetch.
 */
export const kiwiLive: LiveModuleProfile<'kiwi-live'> = {
  id: 'kiwi-live',
  description: "KIWI's overlay module (kiwi-live, flags=\"overlay\")",
  insecureTlsOption: INSECURE_TLS,
  kernelArgs: (source: LiveSource, options: LiveBootOptions & { console: string }) => [
    'ip=dhcp',
    `root=live:${rootOf(source)}`,
    `console=${options.console}`,
    ...(options.ramdiskSizeKiB !== undefined ? [`ramdisk_size=${options.ramdiskSizeKiB}`] : []),
    ...(options.system ? [`rd.kiwi.live.system=${options.system}`] : []),
    ...(options.persistent ? ['rd.live.overlay.persistent', `rd.live.overlay.cowfs=${options.persistent.cowfs}`] : []),
    ...(options.reset ? ['rd.kiwi.live.reset'] : []),
    ...(options.insecureTls && !options.curlOptions?.length ? [INSECURE_TLS] : []),
    ...(options.mediaCheck ? ['mediacheck'] : []),
    // kiwi-live mounts its overlay's tmpfs with size=VALUE as given: a size in tmpfs's own syntax.
    ...(options.overlaySizeMiB !== undefined ? [`rd.live.overlay.size=${options.overlaySizeMiB}M`] : []),
    // The seed's comma form: kiwi-live turns every comma into a space before it runs curl.
    ...(options.curlOptions?.length ? [`${CURL_OPTIONS}=${[...(options.insecureTls ? ['--insecure'] : []), ...options.curlOptions].join(',')}`] : []),
  ],
  ramImageLocator: 'echo /dev/ram0; echo "brd RAM disk /dev/ram0 of $(( $(cat /sys/block/ram0/size) / 2 )) KiB"',
  // kiwi-live always overlays with overlayfs (the seed: device-mapper overlays are dmsquash's).
  rootExpectation: () => ({ describe: 'overlayfs, its only kind of overlay', matches: (fstype) => fstype === 'overlay' }),
  unsupported: (options: LiveBootOptions, facts: LiveImageFacts) => {
    if (options.overlayStore) return 'kiwi-live reads no rd.live.overlay=DEVICE:PATH: its persistence is rd.live.overlay.persistent, a cow partition it creates on the deploy disk (the seed)';
    if (options.ramCopy) return 'kiwi-live has no rd.live.ram: the seed says "the overlay module does not support this mode" (ISO in RAM completely is dmsquash\'s)';
    if (options.mediaCheck && !facts.initrdFiles.some((f) => /(^|\/)checkmedia$/.test(f))) {
      return "kiwi-live's mediacheck runs SUSE's checkmedia, and this ISO's initrd has none (kiwi-live would print \"No mediacheck program installed, mediacheck skipped\"); Debian does not package checkmedia and the project cannot build it from Debian or npm packages";
    }
    return undefined;
  },
  initrdMarkers: [/(^|\/)kiwi-live-root$/, /parse-kiwi-live\.sh$/],
  // Before KIWI 10.2.24 kiwi-live booted root=live: only over AoE; the net rules came with the remote boot.
  netbootRequires: { file: /kiwi-live-net-genrules\.sh$/, what: "kiwi-live's network rules (KIWI >= 10.2.24), without which root=live:http|https|ftp is not fetched" },
  // rd.kiwi.debug: kiwi-live's xtrace into boot.kiwi; curl's stderr always goes to /tmp/fetch.info.
  debug: { kernelArgs: ['rd.kiwi.debug'], files: ['/run/initramfs/log/boot.kiwi', '/tmp/fetch.info', '/run/initramfs/rdsosreport.txt'], consoleServices: /kiwi[\w-]*/ },
  mediaCheck: { tool: /(^|\/)checkmedia$/, toolName: 'checkmedia', passed: { file: '/run/initramfs/checkmedia.result', line: /^ISO check passed$/m } },
  writableLayerMount: '/run/overlay/overlayfs',
  overlaySizeUnit: { bytes: 1, readIn: 'kiwi-live-lib.sh getOverlayBaseDirectory: mount -t tmpfs -o size=VALUE, and tmpfs reads a bare number as bytes (rounded up to a page)' },
  cowLabel: 'cow',
  initrdTools: [
    { tool: 'curl', neededFor: 'root=live:http|https|ftp (kiwi-live fetches with curl)' },
    { tool: 'xz', neededFor: 'a root=live: URL ending in .xz (decompressed as it arrives)' },
    { tool: 'dolly', neededFor: 'root=live:dolly://' },
    { tool: 'checkmedia', neededFor: 'mediacheck' },
    { tool: 'mkfs.xfs', neededFor: 'a persistent cow on xfs (rd.live.overlay.cowfs=xfs, the default)' },
    { tool: 'mkfs.ext4', neededFor: 'a persistent cow on ext4 (rd.live.overlay.cowfs=ext4)' },
  ],
  // kiwi-live writes the ISO to the disk, then fdisk adds the cow partition: the MBR's disk id,
  // partition entries and signature change, and on a GPT hybrid the primary and backup tables.
  diskDeployRewrites: ({ sizeBytes, gpt }) => [
    { start: 440, end: 512 },
    ...(gpt ? [{ start: 512, end: 34 * 512 }, { start: sizeBytes - 33 * 512, end: sizeBytes }] : []),
  ],
  // kiwi-live fetches the ISO from dracut's initqueue (it prints nothing of its own about it).
  phases: [{ id: 'fetch-root', marker: /Starting dracut-initqueue|dracut-initqueue\[\d+\]/, label: 'initqueue: fetching the live root' }],
  failSignatures: [
    { id: 'kiwi-live-media-check-failed', pattern: /Failed to verify system integrity|ISO check failed/, meaning: "kiwi-live's media check (checkmedia) found the ISO damaged" },
  ],
  warningSignatures: [
    {
      id: 'kiwi-live-overlay-fallback',
      pattern: /Falling back to temporary overlay|Failed to setup persistent write space/,
      meaning: 'kiwi-live fell back from a persistent to a temporary overlay',
    },
    {
      id: 'mkfs-refused',
      pattern: /mkfs\.\w+: .*appears to contain an existing filesystem|Use the -f option to force overwrite/,
      meaning: 'mkfs refused to overwrite an existing file system',
    },
    { id: 'kiwi-live-warning', pattern: /dracut-initqueue\[\d+\]: Warning: /, meaning: 'kiwi-live printed a warning' },
    {
      // kiwi-live answers fdisk as for an MBR; on an EFI hybrid's GPT fdisk refuses one answer
      // (seen with KIWI 11.1.6: the cow partition is still made, as partition 3).
      id: 'kiwi-live-fdisk-answer-refused',
      pattern: /dracut-initqueue\[\d+\]: Value out of range\./,
      meaning: "fdisk refused one of kiwi-live's partitioning answers",
    },
  ],
};
