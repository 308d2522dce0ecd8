/** One block of docs/benchmarks.md, replaced in place when its benchmark runs again. */
export interface Section {
  id: string;
  markdown: string;
}

export const median = (values: number[]): number => {
  if (!values.length) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A duration in milliseconds as the tables print it: seconds, one decimal. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const begin = (id: string) => `<!-- bench:${id} -->`;
const end = (id: string) => `<!-- /bench:${id} -->`;

/**
 * Puts each section between its markers in `doc`, replacing what an earlier run wrote there and
 * appending sections that are new, so that running one benchmark keeps the others' figures.
 */
export function mergeSections(doc: string, sections: Section[]): string {
  let out = doc;
  for (const s of sections) {
    const block = `${begin(s.id)}\n${s.markdown.trim()}\n${end(s.id)}`;
    const from = out.indexOf(begin(s.id));
    const to = out.indexOf(end(s.id));
    out = from >= 0 && to > from ? out.slice(0, from) + block + out.slice(to + end(s.id).length) : `${out.trimEnd()}\n\n${block}\n`;
  }
  return out;
}

/** A TCP port on 127.0.0.1 that was free a moment ago, for a server that cannot pick its own. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
