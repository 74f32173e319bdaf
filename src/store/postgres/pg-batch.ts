// Reads asked for in the same turn of the event loop, answered by one query: under load, many
// connections ask the same kind of question at once, and each round trip to the database costs
// far more than the row it brings back.

/** How many keys one query takes at most. */
const MAX_KEYS = 500;

/**
 * Returns a function answering one key at a time, whose calls in one turn are grouped: `load`
 * gets up to MAX_KEYS keys and answers each, in the same order. A failed load fails its callers.
 */
export function batchedReads<K, V>(load: (keys: K[]) => Promise<V[]>): (key: K) => Promise<V> {
  let waiting: Array<{ key: K; resolve: (v: V) => void; reject: (e: unknown) => void }> = [];
  const run = () => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += MAX_KEYS) {
      const group = all.slice(i, i + MAX_KEYS);
      load(group.map((w) => w.key)).then(
        (values) => group.forEach((w, j) => w.resolve(values[j]!)),
        (err: unknown) => group.forEach((w) => w.reject(err)),
      );
    }
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(run);
      waiting.push({ key, resolve, reject });
    });
}
