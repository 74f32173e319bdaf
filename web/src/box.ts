// A value the views watch: set it and every view that reads it with useBox renders again.

import { useEffect, useState } from 'preact/hooks';

export interface Box<T> {
  value: T;
  subscribe(fn: () => void): () => void;
}

export function box<T>(initial: T): Box<T> {
  let value = initial;
  const watchers = new Set<() => void>();
  return {
    get value() {
      return value;
    },
    set value(v: T) {
      if (Object.is(v, value)) return;
      value = v;
      for (const fn of [...watchers]) fn();
    },
    subscribe(fn) {
      watchers.add(fn);
      return () => watchers.delete(fn);
    },
  };
}

/** The box's value, and a render of the calling view whenever it changes. */
export function useBox<T>(b: Box<T>): T {
  const [, setTick] = useState(0);
  const value = b.value;
  useEffect(() => {
    const stop = b.subscribe(() => setTick((n) => n + 1));
    // A change between this render and the subscription would otherwise go unseen.
    if (!Object.is(b.value, value)) setTick((n) => n + 1);
    return stop;
  }, [b]);
  return value;
}
