/**
 * The registry of one axis: its choices by key, the key type read off the choices themselves, so
 * that adding a choice is its own file plus its place in the list (no union of ids to extend).
 * A key given twice is a programming error, refused when the module loads.
 */
export function registryOf<C, K extends keyof C>(choices: readonly C[], key: K): Readonly<Record<C[K] & string, C>> {
  const byKey: Record<string, C> = {};
  for (const choice of choices) {
    const name = String(choice[key]);
    if (Object.hasOwn(byKey, name)) throw new Error(`two choices register the ${String(key)} ${JSON.stringify(name)}`);
    byKey[name] = choice;
  }
  return byKey as Record<C[K] & string, C>;
}
