// Whether a coding client's CLI (claude, codex, gemini) is here: tests that drive it skip, loudly, outside
// CI without it, and in CI (CI=true, where .ci/run installs them) run and fail when it is missing.

import { spawnSync } from 'node:child_process';

export interface ClientCli {
  installed: boolean;
  /** Why it is missing, for the failure message in CI. */
  problem: string;
  /** Skip the test (outside CI only). */
  skip: boolean;
}

export function probeCli(command: string, npmPackage: string): ClientCli {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  const cli = {
    installed: probe.status === 0,
    problem: probe.error?.message ?? probe.stderr,
    skip: probe.status !== 0 && process.env.CI !== 'true',
  };
  if (cli.skip) {
    console.log(
      `SKIPPED: the ${command} CLI is not installed; install it with \`npm install -g ${npmPackage}\` to run this test.`,
    );
  }
  return cli;
}
