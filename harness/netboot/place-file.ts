import { copyFile, link } from 'node:fs/promises';

/** Hard-links when on the same file system (the initrd is tens of MB), copies otherwise. */
export async function place(src: string, dst: string): Promise<void> {
  await link(src, dst).catch(() => copyFile(src, dst));
}
