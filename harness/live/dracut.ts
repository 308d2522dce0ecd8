/**
 * What every live module shares because it runs inside dracut's initrd (kiwi-live and dmsquash
 * are both dracut modules): the kernel options of dracut itself, not of one module.
 */

/** dracut's emergency shell instead of a power-off on a fatal error, without a password (root is locked in the initrd). */
export const EMERGENCY_SHELL_ARGS: readonly string[] = ['rd.shell', 'SYSTEMD_SULOGIN_FORCE=1'];
