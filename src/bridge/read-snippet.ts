// Reads a repository file, or lines of it, for `huddle share`, refusing escapes and binaries.

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The largest snippet (selected lines, UTF-8 bytes) that can be shared in one message. */
export const SNIPPET_MAX_BYTES = 256 * 1024;
/** Files larger than this are refused before they are read, even for a small range. */
const FILE_MAX_BYTES = 8 * 1024 * 1024;
/** How much of the file is scanned for a NUL byte. */
const BINARY_SNIFF_BYTES = 8 * 1024;

/** A piece of a text file, ready to be posted into a room. */
export interface Snippet {
  /** Relative to the real repository root, with forward slashes. */
  path: string;
  start_line: number;
  end_line: number;
  language: string | null;
  content: string;
  total_lines: number;
}

/** What to share: a path, relative to the working directory or absolute, and optional lines. */
export type SnippetSpec = { path: string; start_line?: number; end_line?: number };

/** A refused share: `code` is stable for programs, the message says what to do next. */
export class SnippetError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SnippetError';
    this.code = code;
    this.details = details;
  }
}

function table(spec: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of spec.split(' ')) {
    const [language = '', keys = ''] = group.split(':');
    for (const key of keys.split(',')) map.set(key, language);
  }
  return map;
}

const BY_EXTENSION = table(
  'typescript:ts,mts,cts tsx:tsx javascript:js,mjs,cjs jsx:jsx json:json,jsonc markdown:md,mdx ' +
    'python:py,pyi ruby:rb,rake go:go rust:rs java:java kotlin:kt,kts swift:swift c:c,h ' +
    'cpp:cpp,cc,cxx,hpp,hh,hxx csharp:cs php:php bash:sh,bash zsh:zsh fish:fish powershell:ps1 ' +
    'yaml:yaml,yml toml:toml ini:ini,cfg sql:sql html:html,htm xml:xml,svg css:css scss:scss ' +
    'less:less vue:vue svelte:svelte graphql:graphql,gql proto:proto lua:lua dart:dart ' +
    'scala:scala elixir:ex,exs erlang:erl haskell:hs ocaml:ml r:r terraform:tf diff:diff,patch',
);
const BY_NAME = table(
  'dockerfile:dockerfile,containerfile makefile:makefile,gnumakefile ruby:gemfile,rakefile',
);

/** The fence language for a file name, or null when it is not a well-known one. */
function languageFor(path: string): string | null {
  const name = basename(path).toLowerCase();
  return BY_NAME.get(name) ?? BY_EXTENSION.get(extname(name).slice(1)) ?? null;
}

/**
 * Splits "src/a.ts:10-20", "src/a.ts:10" (that one line) and "src/a.ts" into path and range.
 * Only a colon followed by digits, or digits-digits, at the very end is a range; anything else
 * ("weird:name.ts", "a.ts:x-y", "C:\x") is all path, so an odd name still reaches readSnippet,
 * whose file_not_found message then hints at the range syntax.
 */
export function parseSnippetSpec(spec: string): SnippetSpec {
  const match = /^(.+):(\d+)(?:-(\d+))?$/.exec(spec);
  if (!match) return { path: spec };
  const start = Number(match[2]);
  return { path: match[1]!, start_line: start, end_line: match[3] ? Number(match[3]) : start };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Reads a text file under `root` (the repository root), or the given line range of it.
 * A relative path is resolved against `cwd` (default `root`). A missing start_line means 1 and
 * a missing end_line means the last line. Lines are split on "\n" or "\r\n" and joined with "\n";
 * a final newline does not make an extra line (an empty file is one empty line). Symlinks inside
 * the repository are followed, and the reported `path` is the real target's path relative to
 * the real root, so the same file is always named the same way.
 */
export function readSnippet(root: string, input: SnippetSpec, cwd: string = root): Snippet {
  const lexicalRoot = resolve(root);
  let realRoot: string;
  try {
    realRoot = realpathSync(lexicalRoot);
  } catch (error) {
    throw new SnippetError(
      'root_not_found',
      `The repository root ${lexicalRoot} cannot be opened (${code(error) ?? String(error)}); run the command from inside the repository.`,
      { root: lexicalRoot },
    );
  }
  const requested = resolve(lexicalRoot, cwd, input.path);
  const shown = JSON.stringify(input.path);
  if (!isInside(lexicalRoot, requested) && !isInside(realRoot, requested))
    throw new SnippetError(
      'path_outside_root',
      `${shown} resolves to ${requested}, which is outside the repository root ${lexicalRoot}; share a file inside the repository.`,
      { path: input.path, resolved: requested, root: lexicalRoot },
    );

  // One descriptor: opened once, then checked for what it is, not for what its name says now, so a
  // symlink swapped in after the checks above can never be followed to a file outside the root.
  let fd: number;
  try {
    // Non-blocking, so opening a FIFO does not wait for a writer; it is refused below as not a file.
    fd = openSync(requested, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw unreadable(input.path, error);
    const broken = code(error) === 'ENOENT' && lstatSync(requested, { throwIfNoEntry: false });
    const dangling = broken && broken.isSymbolicLink() ? ' (it is a broken symlink)' : '';
    const hint = /:/.test(input.path) ? '; for a line range write path:START-END with numbers' : '';
    throw new SnippetError(
      'file_not_found',
      `No file at ${shown} (${requested})${dangling}; check the path relative to the current directory${hint}.`,
      { path: input.path, resolved: requested },
    );
  }
  try {
    return readOpened(fd, requested, realRoot, input, shown);
  } finally {
    closeSync(fd);
  }
}

/** Reads the file open on `fd`, after checking that it lies under `realRoot`. */
function readOpened(
  fd: number,
  requested: string,
  realRoot: string,
  input: SnippetSpec,
  shown: string,
): Snippet {
  const real = openedPath(fd, requested, input.path);
  if (!isInside(realRoot, real))
    throw new SnippetError(
      'symlink_outside_root',
      `${shown} is a symlink that leads to ${real}, outside the repository root ${realRoot}; share the file from inside the repository, or copy it in first.`,
      { path: input.path, target: real, root: realRoot },
    );

  const path = relative(realRoot, real).split(sep).join('/');
  const stat = fstatSync(fd);
  if (stat.isDirectory())
    throw new SnippetError(
      'not_a_file',
      `${shown} is a directory; share one file inside it, e.g. ${path || '.'}/<file>.`,
      { path },
    );
  if (!stat.isFile())
    throw new SnippetError(
      'not_a_file',
      `${shown} is not a regular file (a device, socket or pipe); share a text file instead.`,
      { path },
    );
  if (stat.size > FILE_MAX_BYTES)
    throw new SnippetError(
      'file_too_large',
      `${path} is ${stat.size} bytes, over the ${FILE_MAX_BYTES}-byte (8 MiB) limit for shared files, even for a line range; copy the lines you need into a smaller file and share that.`,
      { path, size: stat.size, limit: FILE_MAX_BYTES },
    );

  let bytes: Buffer;
  try {
    bytes = readFileSync(fd);
  } catch (error) {
    throw unreadable(input.path, error);
  }
  let text: string | undefined;
  try {
    if (!bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0))
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {} // invalid UTF-8: not text
  if (text === undefined)
    throw new SnippetError(
      'not_text',
      `${path} is not a UTF-8 text file (it has a NUL byte or invalid UTF-8); only text can be shared, so share a source or text file instead.`,
      { path },
    );

  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  const total = lines.length;
  const start = input.start_line ?? 1;
  const wanted = input.end_line ?? total;
  const rangeError = (why: string) =>
    new SnippetError(
      'invalid_range',
      `${why}; ${path} has ${total} line${total === 1 ? '' : 's'}, so ask for lines between 1 and ${total}, e.g. ${path}:1-${total}.`,
      { path, start_line: input.start_line, end_line: input.end_line, total_lines: total },
    );
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(wanted))
    throw rangeError('Line numbers must be whole numbers');
  if (start < 1) throw rangeError(`The range starts at line ${start}, before line 1`);
  if (wanted < start)
    throw rangeError(`The range ends at line ${wanted}, before it starts at ${start}`);
  if (start > total)
    throw rangeError(`The range starts at line ${start}, past the end of the file`);
  // An end past the last line is clamped to the last line rather than refused: "to the end" is
  // what someone asking for lines 10-9999 means.
  const end = Math.min(wanted, total);

  const content = lines.slice(start - 1, end).join('\n');
  const size = Buffer.byteLength(content, 'utf8');
  if (size > SNIPPET_MAX_BYTES) {
    let fit = start - 1;
    for (let used = 0; fit < end; fit++) {
      used += Buffer.byteLength(lines[fit]!, 'utf8') + 1;
      if (used > SNIPPET_MAX_BYTES) break;
    }
    const suggestion = fit >= start ? `, e.g. ${path}:${start}-${fit}` : '';
    throw new SnippetError(
      'snippet_too_large',
      `Lines ${start}-${end} of ${path} are ${size} bytes, over the ${SNIPPET_MAX_BYTES}-byte (256 KiB) limit for one snippet; share a smaller line range${suggestion}.`,
      { path, size, limit: SNIPPET_MAX_BYTES, start_line: start, end_line: end },
    );
  }
  const language = languageFor(path);
  return { path, start_line: start, end_line: end, language, content, total_lines: total };
}

/**
 * The real path of the file open on `fd`. On Linux the kernel names it (/proc/self/fd); elsewhere
 * the name is resolved again and accepted only when it leads to the very file that is open.
 */
function openedPath(fd: number, requested: string, path: string): string {
  try {
    const named = readlinkSync(`/proc/self/fd/${fd}`);
    // A file deleted since it was opened has " (deleted)" appended: it is not a file to share.
    if (named.startsWith('/') && !named.endsWith(' (deleted)')) return named;
  } catch {} // no /proc: fall back below
  const open = fstatSync(fd);
  let real: string;
  try {
    real = realpathSync(requested);
  } catch (error) {
    throw unreadable(path, error);
  }
  const named = lstatSync(real, { throwIfNoEntry: false });
  if (!named || named.ino !== open.ino || named.dev !== open.dev)
    throw new SnippetError(
      'file_changed',
      `${JSON.stringify(path)} changed while it was being read (it was replaced or moved); share it again.`,
      { path },
    );
  return real;
}

function unreadable(path: string, error: unknown): SnippetError {
  return new SnippetError(
    'unreadable',
    `${JSON.stringify(path)} cannot be read (${code(error) ?? String(error)}); check that the file exists and that you may read it.`,
    { path, cause: code(error) },
  );
}
