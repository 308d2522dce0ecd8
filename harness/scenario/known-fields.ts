import { closest } from '../util/closest.js';

/**
 * The fields of one shape, written once beside its interface as
 * `{ field: true, ... } satisfies KnownFields<Shape>`: a field added to the interface and not to
 * its list (or listed and not in the interface) fails to compile.
 */
export type KnownFields<T> = Record<keyof T, true>;

/**
 * Refuses a field the shape does not have (a misspelling would otherwise be ignored silently):
 * "field boots[0].timout is not a field of a boot: did you mean timeoutMs?", or the list of the
 * shape's fields when none is close. `at` is where the object is ('' for the scenario itself).
 */
export function refuseUnknownFields(value: unknown, at: string, shape: string, fields: Readonly<Record<string, true>>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const known = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(fields, key)) continue;
    const near = closest(key, known);
    const hint = near ? `did you mean ${near}?` : `its fields are ${known.join(', ')}`;
    throw new RangeError(`field ${at ? `${at}.${key}` : key} is not a field of ${shape}: ${hint}`);
  }
}
