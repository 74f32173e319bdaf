// Lease patterns: validates git-style path globs and decides exactly whether two can match one file.

import { HuddleError } from '../errors.js';

/** The longest lease pattern accepted, in characters (UTF-16 code units). */
export const LEASE_PATH_MAX_CHARS = 1024;

const SLASH = 0x2f;
const MAX_CODE_POINT = 0x10ffff;

/** Code points other than '/': those in `ranges`, or when `negated` all those outside them. */
interface CharSet {
  ranges: Array<[number, number]>;
  negated: boolean;
}
/** What one edge of an automaton consumes: '/' when `slash`, and any other code point of `set`. */
interface Pred {
  slash: boolean;
  set: CharSet;
}
interface Nfa {
  eps: number[][];
  moves: Array<Array<{ pred: Pred; to: number }>>;
  accept: number[];
}
type Elem = { kind: 'star' } | { kind: 'one'; set: CharSet };

const ALL: CharSet = { ranges: [], negated: true };
const NONE: CharSet = { ranges: [], negated: false };
const NON_SLASH: Pred = { slash: false, set: ALL };
const ANY: Pred = { slash: true, set: ALL };
const ONLY_SLASH: Pred = { slash: true, set: NONE };
const single = (cp: number): CharSet => ({ ranges: [[cp, cp]], negated: false });

function inSet(set: CharSet, cp: number): boolean {
  return cp !== SLASH && set.negated !== set.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/**
 * Whether some code point other than '/' is in both sets. Exact: the intersection is a union of
 * intervals, and each interval starts at 0, just after '/', or at a range start or range end + 1.
 */
function shareChar(a: CharSet, b: CharSet): boolean {
  const candidates = [0, SLASH + 1];
  for (const [lo, hi] of [...a.ranges, ...b.ranges]) candidates.push(lo, hi + 1);
  return candidates.some((cp) => cp <= MAX_CODE_POINT && inSet(a, cp) && inSet(b, cp));
}

function failFor(input: string, field: string): (why: string) => never {
  const shown =
    input.length > 80 ? `${JSON.stringify(input.slice(0, 80))}…` : JSON.stringify(input);
  return (why) => {
    throw new HuddleError('invalid', 'invalid_path', `Invalid lease path ${shown}: ${why}`, {
      details: { field, path: input },
    });
  };
}

/** One path segment of a pattern as a list of `*` and one-character elements. */
function parseSegment(segment: string, fail: (why: string) => never): Elem[] {
  const cps = Array.from(segment, (c) => c.codePointAt(0)!);
  const at = (j: number): string => (j < cps.length ? String.fromCodePoint(cps[j]!) : '');
  const out: Elem[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = at(i);
    if (c === '*') {
      if (out.at(-1)?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') {
      out.push({ kind: 'one', set: ALL });
    } else if (c !== '[') {
      out.push({ kind: 'one', set: single(cps[i]!) });
    } else {
      let j = i + 1;
      const negated = at(j) === '!' || at(j) === '^';
      if (negated) j++;
      const first = j;
      const ranges: Array<[number, number]> = [];
      for (; j < cps.length && (at(j) !== ']' || j === first); j++) {
        if (at(j) === '[' && at(j + 1) === ':')
          fail(
            'named classes such as [:alpha:] are not supported; list the characters or a range like [a-z].',
          );
        const lo = cps[j]!;
        let hi = lo;
        if (at(j + 1) === '-' && j + 2 < cps.length && at(j + 2) !== ']') {
          hi = cps[j + 2]!;
          if (hi < lo) fail(`the range ${at(j)}-${at(j + 2)} is backwards; write it low to high.`);
          j += 2;
        }
        ranges.push([lo, hi]);
      }
      if (j >= cps.length)
        fail('a [ is not closed by ] in the same path segment; close the class, as in [abc].');
      out.push({ kind: 'one', set: { ranges, negated } });
      i = j;
    }
  }
  return out;
}

/**
 * Validates one lease pattern (a path or git-style glob relative to the repository root) and
 * returns it normalized: no leading `./`, no repeated `/`, no `.` segments, no trailing `/`.
 * Throws `invalid_path` naming the pattern and `field` for anything else that is unusable.
 */
export function normalizeLeasePath(input: string, field = 'paths'): string {
  const fail = failFor(input, field);
  if (input.length === 0)
    fail('it is empty; name a file, a directory or a glob relative to the repository root.');
  if (input.length > LEASE_PATH_MAX_CHARS)
    fail(`it is ${input.length} characters long; the limit is ${LEASE_PATH_MAX_CHARS}.`);
  if (/[\u0000-\u001f\u007f]/.test(input)) fail('it contains a control character; remove it.');
  if (input.includes('\\'))
    fail('it contains a backslash; separate directories with forward slashes (src/a.ts).');
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input))
    fail('it is absolute; write it relative to the repository root (src/a.ts, not /src/a.ts).');
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..'))
    fail('it has a .. segment; write it relative to the repository root without going up.');
  if (segments.length === 0)
    fail('it names the repository root itself; lease ** for everything, or name what you need.');
  for (const segment of segments) parseSegment(segment, fail);
  return segments.join('/');
}

function builder() {
  const nfa: Nfa = { eps: [[]], moves: [[]], accept: [] };
  const state = (): number => {
    nfa.moves.push([]);
    return nfa.eps.push([]) - 1;
  };
  const edge = (from: number, pred: Pred, to: number): void =>
    void nfa.moves[from]!.push({ pred, to });
  const move = (from: number, pred: Pred): number => {
    const to = state();
    edge(from, pred, to);
    return to;
  };
  return { nfa, state, edge, move };
}

/** The automaton of a pattern, over code points, from start state 0. */
function compile(pattern: string): Nfa {
  const segments = normalizeLeasePath(pattern, 'pattern').split('/');
  const fail = failFor(pattern, 'pattern');
  const { nfa, state, edge, move } = builder();
  let cur = 0;
  let slashTaken = false; // a `**/` already consumed the '/' before this segment
  segments.forEach((segment, i) => {
    if (i > 0 && !slashTaken) cur = move(cur, ONLY_SLASH);
    slashTaken = false;
    if (segment === '**' && i < segments.length - 1) {
      // Zero or more whole segments, each with its '/', looping back to `cur`.
      const inSegment = move(cur, NON_SLASH);
      edge(inSegment, NON_SLASH, inSegment);
      edge(inSegment, ONLY_SLASH, cur);
      slashTaken = true;
    } else if (segment === '**') {
      // Last: one or more of anything, the whole rest of the path.
      cur = move(cur, ANY);
      edge(cur, ANY, cur);
    } else {
      for (const elem of parseSegment(segment, fail)) {
        if (elem.kind === 'one') cur = move(cur, { slash: false, set: elem.set });
        else {
          const loop = state();
          nfa.eps[cur]!.push(loop);
          edge(loop, NON_SLASH, loop);
          cur = loop;
        }
      }
    }
  });
  // P also covers P/**: a pattern naming a directory covers everything under it (git pathspec).
  const under = move(move(cur, ONLY_SLASH), ANY);
  edge(under, ANY, under);
  nfa.accept = [cur, under];
  return nfa;
}

/**
 * Whether both automata accept one valid path: non-empty, no empty segment, no leading or trailing
 * '/'. A reachability search over (state of a, state of b, at the start of a segment).
 */
function intersects(a: Nfa, b: Nfa): boolean {
  const nb = b.moves.length;
  const seen = new Set<number>([1]);
  const stack = [1]; // key = (sa * nb + sb) * 2 + (1 when at the start of a segment)
  const push = (sa: number, sb: number, start: number): void => {
    const key = (sa * nb + sb) * 2 + start;
    if (seen.has(key)) return;
    seen.add(key);
    stack.push(key);
  };
  while (stack.length > 0) {
    const key = stack.pop()!;
    const start = key % 2;
    const sa = Math.floor(key / 2 / nb);
    const sb = Math.floor(key / 2) % nb;
    if (start === 0 && a.accept.includes(sa) && b.accept.includes(sb)) return true;
    for (const to of a.eps[sa]!) push(to, sb, start);
    for (const to of b.eps[sb]!) push(sa, to, start);
    for (const ma of a.moves[sa]!) {
      for (const mb of b.moves[sb]!) {
        if (start === 0 && ma.pred.slash && mb.pred.slash) push(ma.to, mb.to, 1);
        if (shareChar(ma.pred.set, mb.pred.set)) push(ma.to, mb.to, 0);
      }
    }
  }
  return false;
}

/**
 * Whether the lease pattern matches a concrete path (repository-relative, normalized). The pattern
 * also matches everything under what it names: `src/auth` matches `src/auth/token.ts`.
 */
export function globMatches(pattern: string, path: string): boolean {
  const { nfa, move } = builder();
  let cur = 0;
  for (const c of path)
    cur = move(cur, c === '/' ? ONLY_SLASH : { slash: false, set: single(c.codePointAt(0)!) });
  nfa.accept = [cur];
  return intersects(compile(pattern), nfa);
}

/**
 * Whether some file path is matched by both lease patterns. Exact, and O(len(a)·len(b)): a search
 * over the product of the two patterns' automata. Symmetric.
 */
export function globsOverlap(a: string, b: string): boolean {
  const na = normalizeLeasePath(a, 'pattern');
  const nb = normalizeLeasePath(b, 'pattern');
  // Every path a pattern matches starts with its literal prefix, so two prefixes that differ
  // within their common length rule out an overlap without building either automaton.
  const pa = literalPrefix(na);
  const pb = literalPrefix(nb);
  const common = Math.min(pa.length, pb.length);
  if (pa.slice(0, common) !== pb.slice(0, common)) return false;
  return intersects(compile(na), compile(nb));
}

/** The pattern up to its first wildcard or class. */
function literalPrefix(pattern: string): string {
  const at = pattern.search(/[*?[]/);
  return at < 0 ? pattern : pattern.slice(0, at);
}
