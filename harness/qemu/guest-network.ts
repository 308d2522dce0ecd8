/**
 * The guest's view of the network, in one place. QEMU's user networking (slirp) gives the guest
 * 10.0.2.15 and shows the host as 10.0.2.2; with restrict=on the guest reaches nothing but the
 * TFTP root and the guest forwards, which the harness puts on one more address of its own.
 */

/** Where every service of the harness appears to the guest (a QEMU guest forward, not a real host). */
export const SERVICE_ADDRESS = '10.0.2.100';

/** slirp's address of the host itself: with restrict=on nothing there may answer. */
export const HOST_ADDRESS_IN_GUEST = '10.0.2.2';

/** The guest port of the boot-file server (kernel and initrd over HTTP instead of TFTP). */
export const BOOT_FILE_PORT = 8080;

/**
 * A guest shell command that tries a TCP port of the host's own loopback (through slirp's host
 * address) and prints `curl-exit=N`: with restrict=on it must fail (curl 7 or 28), whatever
 * listens there. The request's form does not matter: the question is whether a connection opens.
 */
export const hostPortProbeCommand = (port: number): string => `curl -s -o /dev/null --max-time 5 http://${HOST_ADDRESS_IN_GUEST}:${port}/ ; echo curl-exit=$?`;
