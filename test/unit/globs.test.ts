// Lease patterns: normalization and refusals, matching, and exact overlap of two globs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatches, globsOverlap, normalizeLeasePath } from '../../src/core/leases/globs.js';

const INVALID = { name: 'HuddleError', code: 'invalid_path', kind: 'invalid' };

describe('normalizeLeasePath', () => {
  it('normalizes leading ./, repeated and trailing slashes, and . segments', () => {
    for (const [input, expected] of [
      ['./src//a/', 'src/a'],
      ['src/a.ts', 'src/a.ts'],
      ['././src/./a', 'src/a'],
      ['src/', 'src'],
      ['src/**/', 'src/**'],
      ['**', '**'],
      ['a/[!b]/x', 'a/[!b]/x'],
      ['a/[]]/x', 'a/[]]/x'],
      ['.github/workflows/*.yml', '.github/workflows/*.yml'],
      ['...', '...'],
      [' spaced name ', ' spaced name '],
      ['a'.repeat(1024), 'a'.repeat(1024)],
    ]) {
      assert.equal(normalizeLeasePath(input!), expected, input);
    }
  });

  it('refuses unusable patterns with invalid_path naming the field and pattern', () => {
    for (const [bad, hint] of [
      ['../x', /\.\./],
      ['a/../../b', /\.\./],
      ['a/..', /\.\./],
      ['/etc/passwd', /relative to the repository root/],
      ['C:/x', /relative to the repository root/],
      ['c:x', /relative to the repository root/],
      ['a\\b', /forward slashes/],
      ['', /empty/],
      ['a'.repeat(1025), /1025 characters.*1024/],
      ['a[b', /not closed/],
      ['a/[/]', /not closed/],
      ['[!]', /not closed/],
      ['a/[z-a]', /backwards/],
      ['[[:alpha:]]', /not supported/],
      ['a\u0001b', /control character/],
      ['a\nb', /control character/],
      ['a\u007f', /control character/],
      ['.', /repository root itself/],
      ['./', /repository root itself/],
      ['././/.', /repository root itself/],
    ] as const) {
      assert.throws(
        () => normalizeLeasePath(bad, 'paths.3'),
        (error: unknown) => {
          const e = error as { name: string; code: string; kind: string; message: string };
          assert.deepEqual({ name: e.name, code: e.code, kind: e.kind }, INVALID);
          assert.match(e.message, hint);
          assert.match(e.message, /^Invalid lease path "/);
          assert.deepEqual((error as { details: unknown }).details, {
            field: 'paths.3',
            path: bad,
          });
          return true;
        },
        JSON.stringify(bad),
      );
    }
  });

  it('names the field "paths" by default', () => {
    assert.throws(
      () => normalizeLeasePath('../x'),
      (error: unknown) => {
        assert.deepEqual((error as { details: unknown }).details, { field: 'paths', path: '../x' });
        return true;
      },
    );
  });
});

describe('globMatches', () => {
  for (const [pattern, path, expected] of [
    ['src/**', 'src/a.ts', true],
    ['src/**', 'src/a/b/c.ts', true],
    ['src/**', 'src', false], // git: src/** is what is inside src, not src itself
    ['src/**', 'lib/a.ts', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/.ts', true],
    ['src/*.ts', 'src/a/b.ts', false],
    ['src/auth', 'src/auth', true],
    ['src/auth', 'src/auth/x/y.ts', true],
    ['src/auth', 'src/authz.ts', false],
    ['src/auth', 'src', false],
    ['src/*', 'src/a.ts', true],
    ['src/*', 'src/a/b.ts', true],
    ['**/x.ts', 'x.ts', true],
    ['**/x.ts', 'a/b/x.ts', true],
    ['**/x.ts', 'a/bx.ts', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['a/**b', 'a/xb', true], // ** inside a segment is a plain *
    ['a/**b', 'a/x/b', false],
    ['**', 'anything/at/all', true],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[!a-c]x', 'dx', true],
    ['[^a-c]x', 'ax', false],
    ['a[]]b', 'a]b', true],
    ['[a-]', '-', true],
    ['*', '.hidden', true],
    ['Src', 'src', false], // case-sensitive
    ['*.ts', 'é.ts', true],
    ['?.ts', '😀.ts', true], // ? is one character (code point), not one UTF-16 unit
    ['./src//a/', 'src/a/b', true], // the pattern is normalized first
    ['a[*]', 'a*', true],
    ['a[*]', 'ab', false],
    // Paths that are not valid files never match.
    ['*', '', false],
    ['a/**', 'a/', false],
    ['a/*/b', 'a//b', false],
  ] as const) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(path)}`, () => {
      assert.equal(globMatches(pattern, path), expected);
    });
  }
});

describe('globsOverlap', () => {
  const rows: Array<[string, string, boolean]> = [
    // Required.
    ['src/**', 'src/a.ts', true],
    ['src/**', 'src/*.ts', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/a.js', false],
    ['src/*.ts', 'lib/a.ts', false],
    ['src/auth/**', 'src/**/token.ts', true],
    ['src/auth', 'src/auth/token.ts', true],
    ['src/auth', 'src/authz.ts', false],
    ['package.json', 'package.json', true],
    ['package.json', 'package-lock.json', false],
    // `*.md` covers X.md and X.md/** where X has no '/', so every file it covers has a first
    // segment ending in .md. docs/a.md has first segment `docs`: the P-or-P/** rule does NOT make
    // these overlap (`*` matches the directory docs, but `*.md` does not). `*` vs docs/a.md does.
    ['*.md', 'docs/a.md', false],
    ['*', 'docs/a.md', true],
    ['*.md', 'a.md', true],
    ['*.md', 'docs.md/a.txt', true],
    ['**', 'src/a.ts', true],
    ['**', '*', true],
    ['**', '**', true],
    ['**', 'x', true],
    ['a/*/c', 'a/b/*', true],
    ['a/[bc]/x', 'a/d/x', false],
    ['a/[!b]/x', 'a/c/x', true],
    ['a/?.ts', 'a/ab.ts', false],
    ['src/**/test/*.ts', 'src/x/test/a.ts', true],
    // More.
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', true], // a/xb/b: a plain path also covers what is under it
    ['a/**/b', 'a/x', true],
    ['a/**/b', 'b/x', false],
    ['**/x.ts', 'x.ts', true],
    ['**/x.ts', 'deep/er/x.ts', true],
    ['**/x.ts', '**/y.ts', true], // x.ts/y.ts
    ['**/x.ts', '*.js', true], // a.js/x.ts
    ['a/x.ts', 'b/*.ts', false],
    ['**/x.ts', 'src/**', true],
    ['a/*/c', 'a/c', true], // a/c/c
    ['a/*/c', 'a/c/d', false], // * never matches an empty segment, so not a//c/d
    ['a/*/c', 'b/c', false],
    ['a/*', 'a', true],
    ['a/*', 'b', false],
    ['a*', 'b*', false],
    ['*a', 'b*', true], // ba
    ['*a*', '*b*', true],
    ['a/**b', 'a/x/b', false],
    ['a/**b', 'a/*/b', true], // a/xb/b
    ['a/**b', 'a/*/c', true], // a/xb/c
    ['a/**b', 'a/*c/*', false],
    ['[a-c]', '[!a-c]', false],
    ['[!a]', '[!b]', true],
    ['[a-z]', '[0-9]', false],
    ['[a-z]', '[!a-y]', true], // z
    ['[^a]x', 'ax', false],
    ['?', '[!a]', true],
    ['[!!-.]', '[*-5]', true], // only 0-5: the shared interval starts just after '/'
    ['[!!-.]', '[*-.]', false],
    ['?', 'ab', false],
    ['??', 'a*', true],
    ['src/*.test.ts', 'src/**/*.ts', true],
    ['src/*.test.ts', 'src/*.js', false],
    ['src/a.ts', 'src/a.ts/', true],
    ['docs', 'docs/**/*.md', true],
    ['docs/**', 'doc/**', false],
    ['x/*/*/y', 'x/**/z', true], // x/a/b/y/z
    ['x/*/*/y', 'x/*/z', true], // x/a/z/y
    ['x/*/*/y', 'x/*/z/w', false],
    ['x/*/*/y', 'x/*/*/z', false],
    ['x/*/*/y', 'x/**/y', true],
    ['x/*/*', '*/y/**', true], // x/y/a
    ['a/b/c', '*/*', true], // a/b covers a/b/c
    ['a/b', '*/*/*', true], // a/b covers a/b/c
    ['Src/a', 'src/a', false],
  ];
  for (const [a, b, expected] of rows) {
    it(`${a} vs ${b} → ${expected}`, () => {
      assert.equal(globsOverlap(a, b), expected, `${a} vs ${b}`);
      assert.equal(globsOverlap(b, a), expected, `${b} vs ${a} (symmetry)`);
    });
  }

  it('agrees with a brute-force search over every short path', () => {
    // Every valid path over {a, b, c} up to 7 characters, matched by an independent RegExp.
    const paths: string[] = [];
    const grow = (prefix: string): void => {
      if (prefix.length > 0 && !prefix.endsWith('/')) paths.push(prefix);
      if (prefix.length === 7) return;
      for (const c of ['a', 'b', 'c', '/']) {
        if (c === '/' && (prefix === '' || prefix.endsWith('/'))) continue;
        grow(prefix + c);
      }
    };
    grow('');
    const patterns = [
      '**',
      'a',
      'b',
      '*',
      '?',
      'a*',
      '*b',
      '[!a]',
      '[ab]b',
      'a/**',
      '**/b',
      'a/**/b',
      '*/a',
      'a/*',
      '?/?',
      'a*/b*',
      '*/*/*',
      'b/**/a/*',
      '**/a/**',
      'a**b',
      '[^b]/a',
      'a/b',
      'c',
    ];
    const matched = new Map(
      patterns.map((p) => [p, paths.filter((path) => reference(p).test(path))] as const),
    );
    for (const a of patterns) {
      for (const path of paths.filter((p) => p.length <= 5))
        assert.equal(globMatches(a, path), reference(a).test(path), `${a} on ${path}`);
      for (const b of patterns) {
        const expected = matched.get(a)!.some((path) => matched.get(b)!.includes(path));
        assert.equal(globsOverlap(a, b), expected, `${a} vs ${b}`);
      }
    }
  });

  it('stays fast on long patterns', () => {
    const a = `${'*a'.repeat(250)}/**/${'?'.repeat(200)}`;
    const b = `${'a*'.repeat(250)}/${'**/'.repeat(100)}b`;
    const started = performance.now();
    assert.equal(globsOverlap(a, b), true);
    assert.equal(globsOverlap(`${'*a'.repeat(400)}c`, `${'*a'.repeat(400)}d`), false);
    assert.ok(performance.now() - started < 2000);
  });
});

/** The git-style semantics as a RegExp, for patterns over a, b, *, ?, [...] and `**` segments. */
function reference(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.+' : '(?:[^/]+/)*';
      return;
    }
    source += segment.replace(/\*+|\?|\[[!^]/g, (token) =>
      token.startsWith('*') ? '[^/]*' : token === '?' ? '[^/]' : '(?!/)[^',
    );
    if (!last) source += '/';
  });
  return new RegExp(`^(?:${source})(?:/.+)?$`, 'u');
}
