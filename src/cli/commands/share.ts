// huddle share: posts a file of the repository, or lines of it, into the room as a message.

import { parseSnippetSpec, readSnippet, SnippetError } from '../../bridge/read-snippet.js';
import type { Run } from '../registry.js';
import { CliError } from '../cli-error.js';
import { listFlag } from '../list-flag.js';
import { repoRoot } from '../repo-identity.js';
import { textOption } from './option-values.js';

export const run: Run = async (ctx, [room, spec], flags) => {
  const cwd = process.cwd();
  let snippet;
  try {
    snippet = readSnippet(repoRoot(cwd), parseSnippetSpec(spec!), cwd);
  } catch (err) {
    if (err instanceof SnippetError) throw new CliError(err.message);
    throw err;
  }
  const note = await textOption(ctx.io, flags, 'note');
  const to = listFlag(flags.to);
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const answer = await client.share(room!, agent, {
    path: snippet.path,
    start_line: snippet.start_line,
    end_line: snippet.end_line,
    language: snippet.language,
    content: snippet.content,
    ...(note !== undefined && { note }),
    ...(to !== undefined && { to: to.length === 1 ? to[0]! : to }),
  });
  const m = answer.message;
  ctx.print(
    answer,
    () =>
      `Shared ${snippet.path}:${snippet.start_line}-${snippet.end_line} from ${agent} to ${m.recipients.join(', ')} (${m.id}).\n`,
  );
};
