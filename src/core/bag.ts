/**
 * Records keyed by outside strings (condition keys, tag keys) that must inherit nothing — `toString`,
 * `constructor` and `__proto__` are ordinary keys in them — without `Object.create(null)`'s cost: V8
 * makes a null-prototype object a hash table from the start (about three times slower to fill and read
 * for a dozen keys, and several times the memory), while an object whose prototype is a memberless
 * null-prototype object stays a fast object and still inherits nothing.
 */

/** The prototype of every bag: no members, no prototype. */
const NO_MEMBERS: object = Object.create(null) as object;

/** A new, empty bag. */
export function emptyBag<T>(): Record<string, T> {
  return Object.create(NO_MEMBERS) as Record<string, T>;
}
