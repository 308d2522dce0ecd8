/**
 * What every live module shares because it runs inside dracut's initrd (kiwi-live and dmsquash
 * are both dracut modules): the kernel options of dracut itself, not of one module.
 */

/** dracut's emergency shell instead of a power-off on a fatal error, without a password (root is locked in the initrd). */
export const EMERGENCY_SHELL_ARGS: readonly string[] = ['rd.shell', 'SYSTEMD_SULOGIN_FORCE=1'];

/** dracut's version as its initrd records it: the file usr/lib/dracut/dracut-VERSION (e.g. dracut-112-7). */
export function dracutVersion(initrdFiles: readonly string[]): { text: string; major: number } | undefined {
  for (const file of initrdFiles) {
    const match = /(?:^|\/)lib\/dracut\/dracut-((\d+)[\w.+~-]*)$/.exec(file);
    if (match) return { text: match[1]!, major: Number(match[2]) };
  }
  return undefined;
}

/**
 * The names of dracut's persistent overlay options in a given dracut. dracut 110 renamed
 * rd.live.overlay to rd.overlay, rd.live.overlay.reset and .readonly to rd.overlay.reset and
 * .readonly, and rd.live.overlay.overlayfs to the boolean rd.overlay (dracut-ng PRs 2041, 2114,
 * 2177); the old names still work there with a deprecation warning, the new ones not before.
 * nouserconfirmprompt and size kept their rd.live.overlay names. Unknown version: the old names,
 * which every dracut so far reads.
 */
export function overlayOptionNames(version: { major: number } | undefined): { store: string; reset: string; readonly: string; overlayfs: string } {
  return version && version.major >= 110
    ? { store: 'rd.overlay', reset: 'rd.overlay.reset', readonly: 'rd.overlay.readonly', overlayfs: 'rd.overlay' }
    : { store: 'rd.live.overlay', reset: 'rd.live.overlay.reset', readonly: 'rd.live.overlay.readonly', overlayfs: 'rd.live.overlay.overlayfs' };
}
