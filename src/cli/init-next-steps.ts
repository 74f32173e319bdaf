// What a person still has to do after `huddle init` before the client runs huddle: each client
// holds a new project server or hook back until someone approves or trusts it, and says so nowhere
// obvious. The wording names the client's own prompts and choices.

import type { InitClient } from './init-targets.js';

export interface InitChoices {
  scope: 'project' | 'user';
  /** The project directory (where the client must be started). */
  project: string;
  /** Whether init installed hooks. */
  hooks: boolean;
  /** Whether the server pushes over Claude Code channels (--channels). */
  channels: boolean;
}

/** The lines to print after a successful init of `client`, the step to take first. */
export function nextSteps(client: InitClient, choices: InitChoices): string[] {
  const { scope, project, hooks } = choices;
  const lines: string[] = [];
  if (client === 'claude') {
    if (scope === 'project')
      lines.push(
        `Next: run claude in ${project}, trust the folder, and choose "Use this MCP server" for huddle (later: /mcp). Until then claude mcp list shows huddle as pending approval.`,
      );
    if (hooks) lines.push('Hooks show new messages to the session and wake it when it is idle.');
    if (choices.channels)
      lines.push(
        'Start every session with: claude --dangerously-load-development-channels server:huddle. Without that flag Claude Code drops pushed messages, and they count as shown.',
      );
  } else if (client === 'codex') {
    const hookStep = `"Trust all and continue" for huddle's 3 hooks (or review them in /hooks)`;
    if (scope === 'project')
      lines.push(
        `Next: run codex in ${project} and choose "Trust and continue"${hooks ? `, then ${hookStep}` : ''}. Until the project is trusted Codex ignores its .codex folder: codex mcp list shows no huddle.`,
      );
    else if (hooks) lines.push(`Next: run codex and choose ${hookStep}.`);
  } else if (client === 'gemini') {
    lines.push(
      `Next: run gemini in ${project} and choose "Trust folder" (later: /permissions trust). Until then gemini mcp list shows huddle as disabled; a headless gemini -p needs GEMINI_CLI_TRUST_WORKSPACE=true.`,
    );
  }
  if (!hooks && (client === 'claude' || client === 'codex' || client === 'gemini'))
    lines.push(
      "Without hooks, messages reach the agent only when it calls huddle's room or inbox tool.",
    );
  return lines;
}
