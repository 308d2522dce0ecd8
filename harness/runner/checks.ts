import { locateRamImage } from './image-checks.js';
import { createServer, type AddressInfo } from 'node:net';
import { describeDiskEvidence } from '../disk/disk-evidence.js';
import { describeTransfer, formatBytes, isFailedTransfer } from '../publish/transfer-log.js';
import { HOST_ADDRESS_IN_GUEST } from '../qemu/guest-network.js';
import type { Check } from './scenario.js';

/** The ISO moved exactly once, whole, during this boot, and nothing else was asked for in vain. */
export function isoTransferredOnce(): Check {
  return {
    name: 'the ISO was transferred exactly once and in full',
    async run({ iso, transfers }) {
      const fetches = transfers.filter((t) => t.method !== 'HEAD');
      const failed = fetches.filter(isFailedTransfer);
      // A redirect the publisher answered is not a transfer of the ISO (the request it leads to is).
      const ofIso = fetches.filter((t) => t.path === iso.urlPath && !(t.status >= 300 && t.status < 400));
      const complete = ofIso.filter((t) => t.complete && t.bytesSent === iso.sizeBytes);
      const ok = complete.length === 1 && ofIso.length === 1 && failed.length === 0;
      const detail = fetches.length
        ? fetches.map(describeTransfer).join('; ')
        : `no transfer at all (expected ${iso.urlPath}, ${formatBytes(iso.sizeBytes)})`;
      return { ok, detail: ok ? detail : `expected one complete transfer of ${iso.urlPath}: ${detail}` };
    },
  };
}

/**
 * The file the boot entry's URL names (a compressed copy of the ISO, say) moved exactly once,
 * whole, and nothing else was asked for in vain.
 */
export function bootUrlFileTransferredOnce(): Check {
  return {
    name: "the file of the boot entry's URL was transferred exactly once and in full",
    async run({ isoUrl, transfers }) {
      const path = decodeURIComponent(new URL(isoUrl).pathname);
      const fetches = transfers.filter((t) => t.method !== 'HEAD');
      const ofFile = fetches.filter((t) => t.path === path);
      const ok = ofFile.length === 1 && fetches.length === 1 && ofFile.every((t) => t.complete && t.sizeBytes !== undefined && t.bytesSent === t.sizeBytes);
      const detail = fetches.length ? fetches.map(describeTransfer).join('; ') : `no transfer at all (expected ${path})`;
      return { ok, detail: ok ? detail : `expected one complete transfer of ${path}: ${detail}` };
    },
  };
}

/**
 * The publisher told the guest to ask again (the not-ready fault) and the guest did: after the
 * refusals, exactly one complete transfer of the ISO, and no failed one.
 */
export function isoFetchedAfterAskingAgain(): Check {
  return {
    name: 'the ISO was asked for again after "not ready yet", and then transferred once in full',
    async run({ iso, transfers }) {
      const fetches = transfers.filter((t) => t.method !== 'HEAD');
      // Every request before the first one served was told to ask again.
      const firstServed = fetches.findIndex((t) => !t.askAgain);
      const served = firstServed < 0 ? [] : fetches.slice(firstServed);
      const ok = firstServed > 0 && served.length === 1 && served.every((t) => t.path === iso.urlPath && t.complete && t.bytesSent === iso.sizeBytes);
      const detail = fetches.length ? fetches.map(describeTransfer).join('; ') : 'no request at all';
      return { ok, detail: ok ? detail : `expected refusals, then one complete transfer of ${iso.urlPath}: ${detail}` };
    },
  };
}

/** Nothing at all was fetched during this boot (a deployed disk is not deployed again). */
export function noTransfer(): Check {
  return {
    name: 'no transfer at all',
    async run({ transfers }) {
      const fetches = transfers.filter((t) => t.method !== 'HEAD');
      return { ok: fetches.length === 0, detail: fetches.length ? fetches.map(describeTransfer).join('; ') : 'the publisher served nothing' };
    },
  };
}

/**
 * Where the live system runs from, asked of the guest itself: the device that holds the mounted
 * ISO 9660 file system and whether / is its overlay. 'ram': the live module's RAM disk (kiwi-live:
 * /dev/ram0); a device such as /dev/sda matches its partitions (/dev/sda1).
 */
export function liveIsoMountedFrom(where: 'ram' | string): Check {
  return {
    name: where === 'ram' ? "the live ISO is mounted from the live module's copy in RAM and / is the module's overlay" : `the live ISO is mounted from ${where} and / is the module's overlay`,
    async run({ shell, live, liveOptions, liveFacts }) {
      const sh = await shell();
      const image = where === 'ram' ? await locateRamImage(sh, live) : { device: where, where };
      const iso = (await sh.run('findmnt -rn -t iso9660 -o SOURCE,TARGET')).output.trim();
      const root = (await sh.run('findmnt -rn -o FSTYPE,SOURCE /')).output.trim();
      const [fstype = '', source = ''] = root.split(' ');
      const expected = live.rootExpectation(liveOptions, liveFacts);
      const ok = iso.split('\n').some((l) => (l.split(' ')[0] ?? '').startsWith(image.device)) && expected.matches(fstype, source);
      return { ok, detail: `iso9660 mounts: ${iso || 'none'}; root: ${root || 'unknown'} (${live.id} should give ${expected.describe}); the ISO: ${image.where}` };
    },
  };
}

/**
 * Where the overlay's writable layer lives: on the disk's cow partition with this file system
 * (persistent), or nowhere but RAM (filesystem undefined: the live module's temporary overlay).
 */
export function writableLayer(expected: { disk: string; filesystem: string } | 'ram'): Check {
  const want = expected === 'ram' ? 'in RAM (no cow partition mounted)' : `on ${expected.disk} (${expected.filesystem}, label cow)`;
  return {
    name: `the overlay's writable layer is ${want}`,
    async run({ shell, live }) {
      const mount = live.writableLayerMount;
      const cow = (await (await shell()).run(`findmnt -rn -o SOURCE,FSTYPE,LABEL ${mount}`)).output.trim();
      if (expected === 'ram') return { ok: cow === '', detail: cow ? `a file system is mounted there: ${cow}` : `nothing mounted on ${mount}` };
      const [source = '', fstype = '', label = ''] = cow.split(' ');
      const ok = source.startsWith(expected.disk) && fstype === expected.filesystem && label === live.cowLabel;
      return { ok, detail: cow ? `${mount}: ${cow}` : `nothing mounted on ${mount}` };
    },
  };
}

const markerPath = (key: string) => `/root/pxe-harness-marker-${key}`;

/** Writes a fresh random marker into the running system and syncs it: the proof of persistence starts here. */
export function writeMarker(key: string): Check {
  return {
    name: `marker "${key}" written`,
    async run({ shell, state }) {
      const token = `${key}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const sh = await shell();
      const result = await sh.run(`echo ${token} > ${markerPath(key)} && sync && cat ${markerPath(key)}`);
      const ok = result.exitCode === 0 && result.output.trim() === token;
      if (ok) state.set(`marker:${key}`, token);
      return { ok, detail: ok ? `${markerPath(key)} = ${token}` : `writing it failed (status ${result.exitCode}): ${result.output}` };
    },
  };
}

/** The marker written in an earlier boot reads back unchanged. */
export function markerPresent(key: string): Check {
  return {
    name: `marker "${key}" from an earlier boot is still there`,
    async run({ shell, state }) {
      const token = state.get(`marker:${key}`);
      if (!token) return { ok: false, detail: `no marker "${key}" was written in an earlier boot of this scenario` };
      const result = await (await shell()).run(`cat ${markerPath(key)}`);
      const ok = result.exitCode === 0 && result.output.trim() === token;
      return { ok, detail: ok ? `${markerPath(key)} = ${token}` : `expected ${token}, read (status ${result.exitCode}): ${result.output || 'nothing'}` };
    },
  };
}

/** The marker is gone: the data did not survive (a reset, or a non-persistent overlay). */
export function markerAbsent(key: string): Check {
  return {
    name: `marker "${key}" is gone`,
    async run({ shell }) {
      const result = await (await shell()).run(`cat ${markerPath(key)} 2>/dev/null`);
      return { ok: result.exitCode !== 0, detail: result.exitCode !== 0 ? `${markerPath(key)} does not exist` : `it is still there: ${result.output}` };
    },
  };
}

/** Read on the host: the disk starts with the published ISO (ISO 9660, same volume id). */
export function diskHoldsIso(disk = 'system'): Check {
  return {
    name: `disk "${disk}" starts with the published ISO`,
    afterShutdown: true,
    async run({ diskEvidence, iso }) {
      const e = diskEvidence.find((d) => d.disk === disk);
      if (!e) return { ok: false, detail: `no evidence of disk ${disk}` };
      return { ok: e.isoVolumeId === iso.volumeId, detail: describeDiskEvidence(e) };
    },
  };
}

/** Read on the host: a partition labelled cow with this file system, or none at all. */
export function diskCowPartition(filesystem: string | 'none', disk = 'system'): Check {
  return {
    name: filesystem === 'none' ? `disk "${disk}" has no cow partition` : `disk "${disk}" has a ${filesystem} partition labelled cow`,
    afterShutdown: true,
    async run({ diskEvidence, live }) {
      const e = diskEvidence.find((d) => d.disk === disk);
      if (!e) return { ok: false, detail: `no evidence of disk ${disk}` };
      const cow = e.partitions.filter((p) => p.label === live.cowLabel);
      const ok = filesystem === 'none' ? cow.length === 0 : cow.length === 1 && cow[0]!.filesystem === filesystem;
      return { ok, detail: describeDiskEvidence(e) };
    },
  };
}

/**
 * The guest is hermetic: from inside it, a TCP port the harness did not forward is unreachable
 * even on the host's own loopback (slirp's host address 10.0.2.2 with restrict=on), while the
 * forwarded publisher answers. The probe target is a canary server the check starts on the
 * host's 127.0.0.1: it must see no connection. No traffic leaves the machine.
 */
export function guestIsHermetic(): Check {
  return {
    name: 'the guest reaches the forwarded publisher and nothing else',
    async run({ shell, isoUrl }) {
      const canary = createServer();
      let connections = 0;
      canary.on('connection', (socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
      const port = (canary.address() as AddressInfo).port;
      try {
        const sh = await shell();
        const blocked = await sh.run(`curl -s -o /dev/null --max-time 5 http://${HOST_ADDRESS_IN_GUEST}:${port}/ ; echo curl-exit=$?`);
        // HEAD: proves the forward without moving the ISO a second time.
        const forwarded = await sh.run(`curl -s -I -o /dev/null -w '%{http_code}' --max-time 10 ${isoUrl} ; echo`);
        const curlExit = Number(/curl-exit=(\d+)/.exec(blocked.output)?.[1] ?? '0');
        const forwardedOk = /\b200\b/.test(forwarded.output);
        const ok = curlExit !== 0 && connections === 0 && forwardedOk;
        return {
          ok,
          detail: `unforwarded host port ${port} via ${HOST_ADDRESS_IN_GUEST}: curl exit ${curlExit}, canary saw ${connections} connection(s); forwarded publisher: HTTP ${forwarded.output.trim() || 'no answer'}`,
        };
      } finally {
        await new Promise<void>((resolve) => canary.close(() => resolve()));
      }
    },
  };
}

/** The netboot loader (lpxelinux, GRUB) fetched kernel and initrd over HTTP, each once and whole (loader 'http'). */
export function bootFilesOverHttp(): Check {
  return {
    name: 'the netboot loader loaded /boot/linux and /boot/initrd over http, each once and whole',
    async run({ bootFileTransfers }) {
      const fetched = bootFileTransfers.filter((t) => t.method === 'GET');
      const ok = ['/boot/linux', '/boot/initrd'].every((p) => fetched.filter((t) => t.path === p && t.complete).length === 1) && fetched.every((t) => t.complete);
      return { ok, detail: fetched.length ? fetched.map(describeTransfer).join('; ') : 'no boot file was fetched over http' };
    },
  };
}

/** The publisher saw the request for the ISO spelled exactly as the boot entry's URL (path and query). */
export function isoRequestedAsGiven(): Check {
  return {
    name: "the ISO was requested with the boot entry's URL as given (path and query)",
    async run({ isoUrl, transfers }) {
      const url = new URL(isoUrl);
      const wanted = `${url.pathname}${url.search}`;
      const asked = transfers.filter((t) => t.method !== 'HEAD').map((t) => t.requestedPath ?? t.path);
      return { ok: asked.length > 0 && asked.every((a) => a === wanted), detail: `boot entry: ${wanted}; the publisher was asked for: ${asked.join(', ') || 'nothing'}` };
    },
  };
}

/** The publisher saw the ISO requested with this User-Agent (what curl sends for --user-agent). */
export function isoRequestedWithUserAgent(userAgent: string): Check {
  return {
    name: `the ISO was requested with User-Agent "${userAgent}"`,
    async run({ transfers }) {
      const seen = transfers.filter((t) => t.method !== 'HEAD').map((t) => t.userAgent ?? '(none)');
      return { ok: seen.length > 0 && seen.every((u) => u === userAgent), detail: `User-Agent of each request: ${seen.join(', ') || 'no request'}` };
    },
  };
}
