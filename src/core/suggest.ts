// "Did you mean": the known names closest to a mistyped one.

/** Levenshtein distance, with an early exit once it passes `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      best = Math.min(best, row[j]!);
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to `count` names close to `wanted`: a shared prefix or a small edit distance. */
export function closestNames(wanted: string, names: readonly string[], count = 3): string[] {
  const max = Math.max(2, Math.floor(wanted.length / 3));
  return names
    .map((name) => ({
      name,
      score:
        name.startsWith(wanted) || wanted.startsWith(name) ? 0 : editDistance(wanted, name, max),
    }))
    .filter((c) => c.score <= max)
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, count)
    .map((c) => c.name);
}
