/**
 * Teardowns registered before the setup they undo, run in reverse order, each once, each
 * allowed to fail without stopping the others (Playwright's task runner does the same).
 */
export class TeardownStack implements AsyncDisposable {
  private readonly steps: { name: string; run: () => Promise<unknown> | unknown }[] = [];
  readonly errors: { name: string; error: unknown }[] = [];

  add(name: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ name, run });
  }

  async runAll(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        this.errors.push({ name: step.name, error });
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.runAll();
  }
}
