// Markdown from the command line: the words given, or standard input for "-".

import type { CliIO } from './context.js';
import { usageError } from './cli-error.js';

export async function readMarkdown(io: CliIO, words: string[]): Promise<string> {
  if (words.length === 1 && words[0] === '-') return io.readStdin();
  const text = words.join(' ');
  if (text.trim() === '')
    throw usageError(
      'The text is empty: give Markdown as an argument, or "-" to read standard input.',
    );
  return text;
}
