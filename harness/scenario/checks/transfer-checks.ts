import { describeTransfer, formatBytes, isFailedTransfer, isFetch } from '../../publish/transfer-log.js';
import type { Check } from '../define-scenario.js';

/** Checks that read the publisher's transfer log: what the server wrote to a connection, not what arrived. */

/** The ISO moved exactly once, whole, during this boot, and nothing else was asked for in vain. */
export function isoTransferredOnce(): Check {
  return {
    name: 'the ISO was transferred exactly once and in full',
    async run({ iso, transfers }) {
      const fetches = transfers.filter(isFetch);
      const failed = fetches.filter(isFailedTransfer);
      // A redirect the publisher answered is not a transfer of the ISO (the request it leads to is).
      const ofIso = fetches.filter((t) => t.path === iso.urlPath && t.outcome !== 'redirected');
      const complete = ofIso.filter((t) => t.outcome === 'whole' && t.bytesSent === iso.sizeBytes);
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
      const fetches = transfers.filter(isFetch);
      const ofFile = fetches.filter((t) => t.path === path);
      const ok = ofFile.length === 1 && fetches.length === 1 && ofFile.every((t) => t.outcome === 'whole' && t.sizeBytes !== undefined && t.bytesSent === t.sizeBytes);
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
      const fetches = transfers.filter(isFetch);
      // Every request before the first one served was told to ask again.
      const firstServed = fetches.findIndex((t) => t.outcome !== 'ask-again');
      const served = firstServed < 0 ? [] : fetches.slice(firstServed);
      const ok = firstServed > 0 && served.length === 1 && served.every((t) => t.path === iso.urlPath && t.outcome === 'whole' && t.bytesSent === iso.sizeBytes);
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
      const fetches = transfers.filter(isFetch);
      return { ok: fetches.length === 0, detail: fetches.length ? fetches.map(describeTransfer).join('; ') : 'the publisher served nothing' };
    },
  };
}

/**
 * The netboot loader fetched kernel and initrd over HTTP from the harness's boot-file server, each
 * once and whole (loader 'http'): the paths its boot entry names, as the loader declares them.
 */
export function bootFilesOverHttp(): Check {
  return {
    name: "the netboot loader loaded the kernel and the initrd from the harness's boot-file server, each once and whole",
    async run({ bootFileTransfers, netboot }) {
      const fetched = bootFileTransfers.filter(isFetch);
      // A disk boot has no loader, and so no boot file to have fetched.
      const paths = netboot ? [netboot.bootFilePaths.kernel, netboot.bootFilePaths.initrd] : [];
      const ok = paths.length > 0 && paths.every((p) => fetched.filter((t) => t.path === p && t.outcome === 'whole').length === 1) && fetched.every((t) => t.outcome === 'whole');
      return { ok, detail: fetched.length ? fetched.map(describeTransfer).join('; ') : 'no boot file was fetched from the boot-file server' };
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
      const asked = transfers.filter(isFetch).map((t) => t.requestedPath ?? t.path);
      return { ok: asked.length > 0 && asked.every((a) => a === wanted), detail: `boot entry: ${wanted}; the publisher was asked for: ${asked.join(', ') || 'nothing'}` };
    },
  };
}

/** The publisher saw the ISO requested with this User-Agent (what curl sends for --user-agent). */
export function isoRequestedWithUserAgent(userAgent: string): Check {
  return {
    name: `the ISO was requested with User-Agent "${userAgent}"`,
    async run({ transfers }) {
      const seen = transfers.filter(isFetch).map((t) => t.userAgent ?? '(none)');
      return { ok: seen.length > 0 && seen.every((u) => u === userAgent), detail: `User-Agent of each request: ${seen.join(', ') || 'no request'}` };
    },
  };
}
