import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/**
 * The file names in an initrd, read on the host without unpacking it to disk: dracut writes one
 * or more newc cpio archives back to back (an uncompressed early part, then the main archive,
 * usually compressed). Each compressed part is decompressed in memory, by zlib or by the
 * matching Debian tool.
 */
export async function listInitrdFiles(initrdPath: string): Promise<string[]> {
  return (await readInitrd(initrdPath)).names;
}

/**
 * The file names in an initrd, and the contents of the files whose names `wanted` matches (small
 * text files such as the kernel's modules.builtin), in the same single pass.
 */
export async function readInitrd(initrdPath: string, wanted?: RegExp): Promise<{ names: string[]; contents: Map<string, Buffer> }> {
  const found = { names: [] as string[], contents: new Map<string, Buffer>(), wanted };
  let data: Buffer = await readFile(initrdPath);
  for (let part = 0; part < 8 && data.length; part++) {
    const start = skipPadding(data, 0);
    if (start >= data.length) break;
    const head = data.subarray(start);
    if (head.toString('latin1', 0, 5) === '07070') {
      const end = readCpio(head, found);
      data = head.subarray(end);
      continue;
    }
    // A compressed archive runs to the end of the file (dracut appends nothing after it).
    data = await decompress(head, initrdPath);
  }
  return { names: found.names, contents: found.contents };
}

/** Reads newc/crc entries until TRAILER!!!; returns the offset after it. */
function readCpio(buf: Buffer, found: { names: string[]; contents: Map<string, Buffer>; wanted: RegExp | undefined }): number {
  let p = 0;
  while (p + 110 <= buf.length && buf.toString('latin1', p, p + 5) === '07070') {
    const field = (i: number) => Number.parseInt(buf.toString('latin1', p + 6 + i * 8, p + 14 + i * 8), 16);
    const fileSize = field(6);
    const nameSize = field(11);
    const name = buf.toString('utf8', p + 110, p + 110 + nameSize - 1).replace(/^\.?\//, '');
    const dataStart = align4(p + 110 + nameSize);
    p = align4(dataStart + fileSize);
    if (name === 'TRAILER!!!') return p;
    found.names.push(name);
    if (found.wanted?.test(name)) found.contents.set(name, Buffer.from(buf.subarray(dataStart, dataStart + fileSize)));
  }
  return buf.length;
}

const align4 = (n: number) => (n + 3) & ~3;
function skipPadding(buf: Buffer, from: number): number {
  let p = from;
  while (p < buf.length && buf[p] === 0) p++;
  return p;
}

const TOOLS: { magic: number[]; tool: string; args: string[] }[] = [
  { magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd', args: ['-dcq'] },
  { magic: [0xfd, 0x37, 0x7a, 0x58], tool: 'xz', args: ['-dc'] },
  { magic: [0x02, 0x21, 0x4c, 0x18], tool: 'lz4', args: ['-dc'] },
  { magic: [0x04, 0x22, 0x4d, 0x18], tool: 'lz4', args: ['-dc'] },
  { magic: [0x42, 0x5a, 0x68], tool: 'bzip2', args: ['-dc'] },
];

async function decompress(buf: Buffer, initrdPath: string): Promise<Buffer> {
  if (buf[0] === 0x1f && buf[1] === 0x8b) return gunzipSync(buf);
  const match = TOOLS.find((t) => t.magic.every((b, i) => buf[i] === b));
  if (!match) throw new Error(`initrd ${initrdPath}: unknown archive format (first bytes ${buf.subarray(0, 4).toString('hex')})`);
  const tool = await requireTool(match.tool);
  // A trailing truncation (lz4 legacy frames pad) is not an error worth failing on: take what came out.
  const result = await execa(tool, match.args, { input: buf, encoding: 'buffer', reject: false, maxBuffer: 2 ** 31 });
  if (!result.stdout?.length) throw new Error(`initrd ${initrdPath}: ${match.tool} could not decompress it: ${String(result.stderr)}`);
  return Buffer.from(result.stdout);
}
