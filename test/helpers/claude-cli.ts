// Whether the real Claude Code CLI is here: tests that drive it skip, loudly, outside CI without
// it, and in CI (CI=true) run and fail when it is missing.

import { spawnSync } from 'node:child_process';

const probe = spawnSync('claude', ['--version'], { encoding: 'utf8' });

export const claudeCli = {
  installed: probe.status === 0,
  /** Why it is missing, for the failure message in CI. */
  problem: probe.error?.message ?? probe.stderr,
  /** Skip the test (outside CI only). */
  skip: probe.status !== 0 && process.env.CI !== 'true',
};

if (claudeCli.skip) {
  console.log(
    'SKIPPED: the Claude Code CLI is not installed; install it with `npm install -g @anthropic-ai/claude-code` to run this test.',
  );
}
