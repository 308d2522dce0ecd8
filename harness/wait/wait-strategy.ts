/**
 * A wait (testcontainers style): something that settles once its condition holds on a target,
 * or rejects with its own message when it cannot hold. A wait must remove every listener and
 * timer it set up when it settles or when `signal` aborts: any-of aborts the losers.
 */
export interface WaitStrategy<Target, T> {
  readonly description: string;
  waitUntilReady(target: Target, signal?: AbortSignal): Promise<T>;
}

type ResultOf<W> = W extends WaitStrategy<unknown, infer T> ? T : never;
type TargetOf<W> = W extends WaitStrategy<infer Target, unknown> ? Target : never;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Races several waits on one target: the first to settle decides (its value or its error), and
 * the others are aborted so that they let go of the target. An outer abort aborts all.
 */
export class AnyOfWait<W extends WaitStrategy<never, unknown>[]> implements WaitStrategy<Intersect<TargetOf<W[number]>>, ResultOf<W[number]>> {
  readonly strategies: W;

  constructor(...strategies: W) {
    if (!strategies.length) throw new RangeError('any-of needs at least one wait');
    this.strategies = strategies;
  }

  get description(): string {
    return `any of: ${this.strategies.map((s) => s.description).join('; ')}`;
  }

  async waitUntilReady(target: Intersect<TargetOf<W[number]>>, signal?: AbortSignal): Promise<ResultOf<W[number]>> {
    const losers = new AbortController();
    const onAbort = () => losers.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const races = this.strategies.map((s) => (s as WaitStrategy<typeof target, unknown>).waitUntilReady(target, losers.signal));
    try {
      return (await Promise.race(races)) as ResultOf<W[number]>;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      losers.abort(new Error('another wait decided'));
      // The losers reject once aborted: nobody waits for them, and nobody must see them unhandled.
      for (const race of races) race.catch(() => undefined);
    }
  }
}

export const anyOf = <W extends WaitStrategy<never, unknown>[]>(...strategies: W) => new AnyOfWait(...strategies);
