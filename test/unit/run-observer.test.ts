import { afterEach, describe, expect, it, vi } from 'vitest';
import { combineObservers, type RunObserver } from '../../harness/engine/run-observer.js';
import type { BootDefinition, ScenarioDefinition } from '../../harness/scenario/define-scenario.js';
import type { BootResult, ScenarioResult } from '../../harness/scenario/result.js';

type Hook = Exclude<keyof RunObserver, 'name'>;
const HOOKS: Hook[] = ['onRunInfo', 'onRunStart', 'onScenarioStart', 'onBootStart', 'onPhase', 'onTransferProgress', 'onBootEnd', 'onScenarioEnd', 'onRunEnd'];

// The multiplexer passes its arguments through untouched: stand-ins are enough.
const scenario = { name: 's' } as unknown as ScenarioDefinition;
const boot = {} as unknown as BootDefinition;
const bootResult = {} as unknown as BootResult;
const scenarioResult = { name: 's' } as unknown as ScenarioResult;

/** Fires every hook once, as a run does. */
async function fireAll(observer: RunObserver): Promise<void> {
  observer.onRunInfo?.({ iso: 'x.iso', liveModule: { id: 'm', evidence: 'e' } });
  observer.onRunStart?.([scenario]);
  observer.onScenarioStart?.(scenario);
  observer.onBootStart?.(scenario, boot, 0);
  observer.onPhase?.(scenario, boot, 'firmware');
  observer.onTransferProgress?.(scenario, '/x', 1);
  observer.onBootEnd?.(scenario, bootResult);
  observer.onScenarioEnd?.(scenarioResult);
  await observer.onRunEnd?.([scenarioResult]);
}

/** An observer that records each hook it sees. */
function recorder(name: string): RunObserver & { seen: Hook[] } {
  const seen: Hook[] = [];
  const observer = { name, seen } as RunObserver & { seen: Hook[] };
  for (const hook of HOOKS) (observer as unknown as Record<Hook, () => void>)[hook] = () => void seen.push(hook);
  return observer;
}

/** An observer whose every hook fails: by throwing, or by returning a rejected promise. */
function failing(name: string, how: 'throws' | 'rejects'): RunObserver {
  const observer: RunObserver = { name };
  for (const hook of HOOKS) {
    (observer as unknown as Record<Hook, () => unknown>)[hook] = how === 'throws'
      ? () => {
          throw new Error(`boom in ${hook}`);
        }
      : () => Promise.reject(new Error(`boom in ${hook}`));
  }
  return observer;
}

describe('combineObservers isolates the reporters', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const how of ['throws', 'rejects'] as const) {
    it(`a reporter that ${how} in every hook: no throw escapes, the others see every event, stderr names it`, async () => {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const before = recorder('before');
      const after = recorder('after');
      const combined = combineObservers([before, failing('broken', how), after]);
      await expect(fireAll(combined)).resolves.toBeUndefined();
      // Rejections of the event hooks settle after the hook returned: let them arrive.
      await new Promise((resolve) => setImmediate(resolve));
      expect(before.seen).toEqual(HOOKS);
      expect(after.seen).toEqual(HOOKS);
      const lines = stderr.mock.calls.map(([text]) => String(text));
      for (const hook of HOOKS) {
        expect(lines).toContain(`pxe-harness: reporter broken failed in ${hook}: boom in ${hook}; the run goes on\n`);
      }
      expect(lines).toHaveLength(HOOKS.length);
    });
  }

  it('a reporter without a name is called unnamed', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    combineObservers([{ onPhase: () => { throw new Error('no'); } }]).onPhase?.(scenario, boot, 'p');
    expect(stderr.mock.calls.map(([text]) => String(text))).toEqual(['pxe-harness: reporter unnamed failed in onPhase: no; the run goes on\n']);
  });

  it('onRunEnd waits for each reporter in turn', async () => {
    const order: string[] = [];
    const slow: RunObserver = { name: 'slow', onRunEnd: () => new Promise<void>((resolve) => setTimeout(() => (order.push('slow'), resolve()), 20)) };
    const fast: RunObserver = { name: 'fast', onRunEnd: () => void order.push('fast') };
    await combineObservers([slow, fast]).onRunEnd?.([]);
    expect(order).toEqual(['slow', 'fast']);
  });

  it('the harness reporters carry names', async () => {
    const { jsonReporter } = await import('../../harness/report/json-reporter.js');
    const { junitReporter } = await import('../../harness/report/junit-reporter.js');
    const { htmlReporter } = await import('../../harness/report/html-reporter.js');
    const { conformanceReporter } = await import('../../harness/report/conformance.js');
    const { terminalReporter } = await import('../../harness/report/terminal-reporter.js');
    const reporters = [jsonReporter('/tmp', {}), junitReporter('/tmp'), htmlReporter('/tmp'), conformanceReporter('/tmp'), terminalReporter(() => undefined, { live: false })];
    expect(reporters.map((r) => r.name)).toEqual(['json', 'junit', 'html', 'conformance', 'terminal']);
  });
});
