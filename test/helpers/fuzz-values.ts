// fast-check generators for what a hostile or broken client sends the hub: nasty strings and
// numbers, wrong types, deep and huge values, broken JSON, odd path segments and query strings,
// and request bodies built field by field from a route's documented fields, each field mutated.
//
// HUDDLE_FUZZ_RUNS=<n> raises the number of runs of every property (default: each test's own).

import fc from 'fast-check';

/** Runs for one property: `base` in CI, or HUDDLE_FUZZ_RUNS when that is larger. */
export function fuzzRuns(base: number): number {
  const wanted = Number(process.env.HUDDLE_FUZZ_RUNS);
  return Number.isFinite(wanted) && wanted > base ? Math.floor(wanted) : base;
}

/** fast-check parameters: `fuzzRuns(base)` runs; a failure reports its seed and the error. */
export function fuzzOptions(base: number): fc.Parameters<unknown> {
  return { numRuns: fuzzRuns(base), includeErrorInReport: true };
}

/** One UTF-16 code unit of any value: NUL, controls and lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Strings a validator is likely to get wrong. */
const SPECIAL_STRINGS = [
  '',
  ' ',
  '\t\n\r ',
  '\u0000',
  'a\u0000b',
  '\u001f',
  '\u007f',
  '\ud800',
  'x\udfff',
  '\ufeff',
  '\u202e',
  '😀',
  '👩‍👩‍👧‍👦',
  'é',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '*',
  '**',
  '**/*',
  '*,*',
  'a,b',
  ',',
  '../../etc/passwd',
  '/',
  '.',
  '..',
  '%',
  '%00',
  '%zz',
  'null',
  'true',
  '0',
  '-1',
  '1e999',
  'NaN',
  '{}',
  '[]',
  '<script>alert(1)</script>',
  '</channel>',
  "'; DROP TABLE events; --",
  `hd_${'A'.repeat(43)}`,
  'hd_',
  'hc_x',
  'T-0000',
  'T-zzzzzzzz',
  'L-000000',
  'msg_0000000000000000',
  'mem_000000000000',
  'ABCD-EFGH',
  'HF0Z-F1TP',
  '1h',
  '2026-11-21T14:37:26.686Z',
  '9999-99-99',
  'task.*',
  'a'.repeat(48),
  'a'.repeat(49),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(100),
  'a'.repeat(101),
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(1025),
];

/** Text lengths around the hub's limits (bytes of UTF-8; `é` is two). */
const LIMIT_SIZES = [8_192, 8_193, 16_384, 16_385, 65_536, 65_537, 262_144, 262_145];

/** A string at or just past one of the hub's size limits, in one- or two-byte characters. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...LIMIT_SIZES), fc.boolean())
  .map(([bytes, wide]) => (wide ? 'é'.repeat(Math.ceil(bytes / 2)) : 'x'.repeat(bytes)));

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: hugeString },
);

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      0,
      -0,
      1,
      -1,
      0.5,
      1.5,
      9,
      10,
      11,
      99,
      100,
      101,
      999,
      1000,
      1001,
      86_400,
      86_401,
      604_800,
      604_801,
      2 ** 31,
      -(2 ** 31),
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      1e21,
    ),
  },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

/** Whole numbers for integer fields: edges of the hub's ranges, any safe integer, or not one. */
export const nastyInt: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      0,
      1,
      -1,
      2,
      9,
      10,
      11,
      100,
      101,
      1000,
      1001,
      86_400,
      86_401,
      604_800,
      604_801,
      2 ** 31,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: -1_000, max: 1_000_000 }) },
  { weight: 1, arbitrary: nastyNumber },
);

/** Any JSON value, strings included nasty ones, a few levels deep. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: nastyString },
  { weight: 1, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': '' }) },
);

/** Arrays or objects nested `depth` levels, past any depth limit the hub has. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(17, 100, 2_000), fc.boolean())
  .map(([depth, objects]) => {
    let v: unknown = objects ? { x: 1 } : [1];
    for (let i = 0; i < depth; i++) v = objects ? { a: v } : [v];
    return v;
  });

/**
 * One field's value: mostly `plausible` (what the field may hold, edge cases included), otherwise
 * anything of any type, or a deep one.
 */
export function field(plausible: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: plausible },
    { weight: 2, arbitrary: anyJson },
    { weight: 1, arbitrary: deepValue },
  );
}

/** One of `known`, the first most often, or else `other`. */
export function oneOr<T>(known: readonly T[], other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(known[0]!) },
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: other },
  );
}

/** Keys a strict body must refuse. */
const unknownKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'nam', 'extra', '', ' ', 'type'),
  fc.string({ maxLength: 10 }),
);

/**
 * A JSON object with the route's fields: mostly well typed (the `required` ones always there,
 * the others now and then; every value still an edge case), else each field left out or mutated
 * by `field`; and now and then an unknown field.
 */
export function bodyOf(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  const keys = required.filter((k) => k in fields);
  const typed = fc.record(fields, { requiredKeys: keys });
  const mutated = fc.record(
    Object.fromEntries(Object.entries(fields).map(([name, arb]) => [name, field(arb)])),
    { requiredKeys: [] },
  );
  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: mutated }),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(unknownKey, anyJson) },
      ),
    )
    .map(([body, extra]) => {
      const out: Record<string, unknown> = { ...body };
      // defineProperty, so `__proto__` becomes a real key of the JSON text.
      if (extra) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true });
      return out;
    });
}

/** Texts that are not JSON, or JSON that parsers disagree on. */
export const brokenJson: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '{',
      '{"a":',
      '[1,]',
      '{"a":1,}',
      'undefined',
      "{'a':1}",
      '\u0000',
      '\ufeff{}',
      '{"a":1}garbage',
      '{}{}',
      '1e999',
      '-1e999',
      '-',
      'NaN',
      'Infinity',
      '"\\ud800"',
      '"\\u0000"',
      '{"text":"\\ud800"}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"text":1e999}',
      '{"text":"a","text":1}',
      `{"a":"${'\\'.repeat(3)}"}`,
      '[]',
      '"x"',
      '0',
      'null',
      'true',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.nat()).map(([v, cut]) => {
      const text = JSON.stringify(v);
      return text.slice(0, cut % Math.max(1, text.length));
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(5_000, 200_000).map((n) => '['.repeat(n) + ']'.repeat(n)),
  },
);

/** A request body as bytes: mostly `body` as JSON, else broken JSON, another value, bad UTF-8. */
export function bodyBytes(body: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 8, arbitrary: body.map((b) => Buffer.from(JSON.stringify(b) ?? 'null')) },
    { weight: 1, arbitrary: anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: brokenJson.map((t) => Buffer.from(t)) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 40 })
        .map((bytes) =>
          Buffer.concat([Buffer.from('{"text":"'), bytes, Buffer.from([0xff, 0x22, 0x7d])]),
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t ').map((t) => Buffer.from(t)) },
  );
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as a browser does). */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A path segment: one of `known`, the first most often (so routes get past their 404s), else odd
 * or encoded text.
 */
export function pathSegment(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(percentEncode(known[0]!)) },
    { weight: 4, arbitrary: fc.constantFrom(...known).map(percentEncode) },
    { weight: 2, arbitrary: nastyString.filter((s) => s.length < 2_000).map(percentEncode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%FF',
        '%00',
        '%2F',
        'a%2Fb',
        '..',
        '.',
        '%2E%2E',
        ';',
        ':',
        '@',
        '+',
        '~',
      ),
    },
  );
}

/** A query string of `keys` (and a stranger now and then) with odd values; may be empty. */
export function queryString(values: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const pair = fc.oneof(
    ...Object.entries(values).map(([key, value]) =>
      fc.tuple(fc.constant(key), fc.oneof({ weight: 3, arbitrary: value }, nastyString)),
    ),
    fc.tuple(nastyString, nastyString),
  );
  return fc
    .tuple(
      fc.array(pair, { maxLength: 4 }),
      fc.constantFrom('', '', '', '&', '&&', '=', '%', '%zz=1', 'a=%E0%A4%A'),
    )
    .map(([pairs, junk]) => {
      const text = pairs
        .map(([k, v]) => `${percentEncode(k.slice(0, 300))}=${percentEncode(v.slice(0, 300))}`)
        .join('&');
      const all = [text, junk].filter(Boolean).join('&');
      return all ? `?${all}` : '';
    });
}

/** A header value Node's HTTP client will send: latin-1 without controls but tab. */
export function headerSafe(s: string): string {
  return s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 4_000);
}

/** An Idempotency-Key header: absent mostly, else a good one, or one the rules refuse. */
export const idempotencyHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.string({ minLength: 1, maxLength: 200, unit: fc.constantFrom(...'!~azAZ09-_') }),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a b', 'x'.repeat(201), 'é', '\t') },
  { weight: 1, arbitrary: nastyString.map(headerSafe) },
);
