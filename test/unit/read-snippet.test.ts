// Reading snippets for `huddle share`: ranges, escapes, symlinks, binaries and sizes.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  SNIPPET_MAX_BYTES,
  SnippetError,
  parseSnippetSpec,
  readSnippet,
} from '../../src/bridge/read-snippet.js';
import { fenceFor } from '../../src/core/messaging/share-format.js';
import { tempDir } from '../helpers/temp-dir.js';

function refused(code: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof SnippetError, `expected a SnippetError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}

describe('readSnippet', () => {
  let dir: { path: string; remove(): void };
  let root: string;
  let outside: string;

  before(() => {
    dir = tempDir('huddle-snippet-');
    root = join(dir.path, 'repo');
    outside = join(dir.path, 'outside');
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'src', 'a.ts'), 'one\ntwo\nthree\nfour\nfive\n');
    writeFileSync(join(root, 'src', 'deep', 'b.py'), 'print(1)');
    writeFileSync(join(root, 'crlf.txt'), 'x\r\ny\r\n');
    writeFileSync(join(root, 'Dockerfile'), 'FROM node:20\n');
    writeFileSync(join(root, 'bin.dat'), Buffer.from([0x68, 0x69, 0x00, 0x21]));
    writeFileSync(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    // 4,000 lines of 100 bytes: about 400 KB, over the snippet limit but under the file limit.
    writeFileSync(join(root, 'big.txt'), `${'x'.repeat(99)}\n`.repeat(4000));
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    symlinkSync(outside, join(root, 'leakdir'));
    symlinkSync(join(root, 'src', 'a.ts'), join(root, 'alias.ts'));
  });
  after(() => dir.remove());

  it('reads a whole file, without counting the final newline as a line', () => {
    assert.deepEqual(readSnippet(root, { path: 'src/a.ts' }), {
      path: 'src/a.ts',
      start_line: 1,
      end_line: 5,
      language: 'typescript',
      content: 'one\ntwo\nthree\nfour\nfive',
      total_lines: 5,
    });
    const py = readSnippet(root, { path: 'src/deep/b.py' });
    assert.equal(py.content, 'print(1)');
    assert.equal(py.total_lines, 1);
    assert.equal(py.language, 'python');
  });

  it('reads a range and a single line', () => {
    const range = readSnippet(root, { path: 'src/a.ts', start_line: 2, end_line: 4 });
    assert.equal(range.content, 'two\nthree\nfour');
    assert.deepEqual([range.start_line, range.end_line, range.total_lines], [2, 4, 5]);
    const one = readSnippet(root, parseSnippetSpec('src/a.ts:3'));
    assert.equal(one.content, 'three');
    assert.deepEqual([one.start_line, one.end_line], [3, 3]);
  });

  it('clamps an end past the last line, and reads to the end when only start is given', () => {
    const clamped = readSnippet(root, { path: 'src/a.ts', start_line: 4, end_line: 999 });
    assert.equal(clamped.content, 'four\nfive');
    assert.equal(clamped.end_line, 5);
    assert.equal(readSnippet(root, { path: 'src/a.ts', start_line: 5 }).content, 'five');
  });

  it('refuses invalid ranges, saying how many lines the file has', () => {
    for (const [start, end] of [
      [0, 2],
      [-1, 2],
      [4, 3],
      [6, 9],
      [1.5, 2],
    ] as const)
      assert.throws(
        () => readSnippet(root, { path: 'src/a.ts', start_line: start, end_line: end }),
        refused('invalid_range', /src\/a\.ts has 5 lines/),
        `${start}-${end}`,
      );
  });

  it('resolves relative paths against cwd', () => {
    const snippet = readSnippet(root, { path: '../a.ts' }, join(root, 'src', 'deep'));
    assert.equal(snippet.path, 'src/a.ts');
  });

  it('refuses ../ escapes and absolute paths outside the root', () => {
    assert.throws(
      () => readSnippet(root, { path: '../outside/secret.txt' }),
      refused('path_outside_root', /outside the repository root.*share a file inside/),
    );
    assert.throws(
      () => readSnippet(root, { path: '../../x' }, join(root, 'src')),
      refused('path_outside_root'),
    );
    assert.throws(
      () => readSnippet(root, { path: join(outside, 'secret.txt') }),
      refused('path_outside_root'),
    );
  });

  it('accepts an absolute path inside the root', () => {
    const snippet = readSnippet(root, {
      path: join(root, 'src', 'a.ts'),
      start_line: 1,
      end_line: 1,
    });
    assert.equal(snippet.path, 'src/a.ts');
    assert.equal(snippet.content, 'one');
  });

  it('refuses symlinks that lead outside the root, naming where they lead', () => {
    assert.throws(
      () => readSnippet(root, { path: 'leak.txt' }),
      refused('symlink_outside_root', /leads to .*outside[/\\]secret\.txt/),
    );
    assert.throws(
      () => readSnippet(root, { path: 'leakdir/secret.txt' }),
      refused('symlink_outside_root'),
    );
  });

  it("follows a symlink inside the root and reports the target's path", () => {
    const snippet = readSnippet(root, { path: 'alias.ts', start_line: 2, end_line: 2 });
    assert.equal(snippet.path, 'src/a.ts');
    assert.equal(snippet.content, 'two');
  });

  it('refuses directories and missing files', () => {
    assert.throws(() => readSnippet(root, { path: 'src' }), refused('not_a_file', /directory/));
    assert.throws(
      () => readSnippet(root, { path: 'src/nope.ts' }),
      refused('file_not_found', /No file at "src\/nope\.ts"/),
    );
  });

  it('refuses binary files and invalid UTF-8', () => {
    assert.throws(() => readSnippet(root, { path: 'bin.dat' }), refused('not_text'));
    assert.throws(() => readSnippet(root, { path: 'latin1.txt' }), refused('not_text'));
  });

  it('refuses a snippet over 256 KiB, suggesting a range, and accepts a small range', () => {
    assert.throws(
      () => readSnippet(root, { path: 'big.txt' }),
      refused('snippet_too_large', /over the 262144-byte .*e\.g\. big\.txt:1-2621\b/),
    );
    const small = readSnippet(root, { path: 'big.txt', start_line: 3990, end_line: 4000 });
    assert.equal(small.content.split('\n').length, 11);
    assert.equal(small.total_lines, 4000);
    assert.ok(Buffer.byteLength(small.content) <= SNIPPET_MAX_BYTES);
  });

  it('refuses a named pipe without waiting for a writer', () => {
    const fifo = join(root, 'pipe');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo on this system
    assert.throws(() => readSnippet(root, { path: 'pipe' }), refused('not_a_file', /pipe/));
  });

  it('never reads outside the root while a directory is swapped for a symlink under it', async () => {
    // Another process swaps racedir between a real directory inside the root and a symlink to a
    // directory outside it, as fast as it can: a check of the name followed by a second open by
    // name would read the secret. Every read must get the inside file or be refused.
    mkdirSync(join(root, 'racedir'));
    writeFileSync(join(root, 'racedir', 'file.txt'), 'inside\n');
    writeFileSync(join(outside, 'file.txt'), 'secret\n');
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [dir, outside] = process.argv.slice(1);
         for (;;) {
           try {
             fs.renameSync(dir + '/racedir', dir + '/racedir.real');
             fs.symlinkSync(outside, dir + '/racedir');
             fs.unlinkSync(dir + '/racedir');
             fs.renameSync(dir + '/racedir.real', dir + '/racedir');
           } catch {}
         }`,
        root,
        outside,
      ],
      { stdio: 'ignore' },
    );
    try {
      const seen: Record<string, number> = {};
      const until = Date.now() + 4000;
      for (let i = 1; Date.now() < until; i++) {
        try {
          const snippet = readSnippet(root, { path: 'racedir/file.txt' });
          assert.equal(snippet.content, 'inside', 'read the file outside the root');
          seen.read = (seen.read ?? 0) + 1;
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          assert.ok(error instanceof SnippetError, String(error));
          seen[error.code] = (seen[error.code] ?? 0) + 1;
        }
        // Let the swapper run between reads on a busy machine.
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      assert.ok(seen.read && seen.symlink_outside_root, JSON.stringify(seen));
    } finally {
      swapper.kill('SIGKILL');
    }
  });

  it('normalizes CRLF and names languages from well-known file names', () => {
    const crlf = readSnippet(root, { path: 'crlf.txt' });
    assert.equal(crlf.content, 'x\ny');
    assert.equal(crlf.language, null);
    assert.equal(readSnippet(root, { path: 'Dockerfile' }).language, 'dockerfile');
  });
});

describe('parseSnippetSpec', () => {
  it('splits a trailing line or line range off the path', () => {
    assert.deepEqual(parseSnippetSpec('a.ts'), { path: 'a.ts' });
    assert.deepEqual(parseSnippetSpec('a.ts:3'), { path: 'a.ts', start_line: 3, end_line: 3 });
    assert.deepEqual(parseSnippetSpec('a.ts:3-9'), { path: 'a.ts', start_line: 3, end_line: 9 });
    assert.deepEqual(parseSnippetSpec('src/x:y.ts:10-20'), {
      path: 'src/x:y.ts',
      start_line: 10,
      end_line: 20,
    });
  });

  it('keeps anything that is not digits after the last colon as part of the path', () => {
    for (const path of ['weird:name.ts', 'a.ts:x-y', 'a.ts:3-', 'C:\\x', ':3'])
      assert.deepEqual(parseSnippetSpec(path), { path });
  });

  it('hints at the range syntax when a path with a colon is not found', () => {
    const dir = tempDir();
    try {
      assert.throws(
        () => readSnippet(dir.path, parseSnippetSpec('a.ts:x-y')),
        refused('file_not_found', /path:START-END/),
      );
    } finally {
      dir.remove();
    }
  });
});

describe('fenceFor', () => {
  it('is one backtick longer than any run in the content, and at least three', () => {
    assert.equal(fenceFor('plain'), '```');
    assert.equal(fenceFor('a `b` ``c``'), '```');
    assert.equal(fenceFor('```ts\nx\n```'), '````');
    assert.equal(fenceFor('````md\n```\n````'), '`````');
    // Many separate runs do not overflow the stack.
    assert.equal(fenceFor('`a'.repeat(200_000)), '```');
  });
});
