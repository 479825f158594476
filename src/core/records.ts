/**
 * Looking up user strings in plain objects. A config's names (runtimes, namespaces, pull secrets, environments) are
 * user strings, and `record[name]` finds `Object.prototype`'s members for `constructor`, `toString` or
 * `__proto__`: a runtime named `toString` would be "found" as a function. These look at the object's own keys only.
 */

/** The value of an object's own key, or undefined (never a member inherited from `Object.prototype`). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && record !== null && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A copy of an object without a prototype: looking up any key finds only its own. */
export function withoutPrototype<T>(record: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, record));
}

/**
 * Sets an object's own key: defined, not assigned, so that a user string `__proto__` is a key like any other and does
 * not replace the object's prototype. Read it back with {@link own}.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
