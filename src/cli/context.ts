// What every CLI command receives: the effective config, output streams, credentials, a client.

import { homedir } from 'node:os';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { createHubClient, type HubClient } from '../client/hub-client.js';
import { openCredentials, type Credentials, type StoredCredential } from './credentials.js';
import { CliError } from './cli-error.js';

export type Flags = Record<string, string | boolean | undefined>;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Asks a question on the terminal and returns the answer. */
  prompt: (question: string) => Promise<string>;
}

export interface CliContext {
  io: CliIO;
  loaded: LoadedConfig;
  config: Config;
  json: boolean;
  flags: Flags;
  credentials: Credentials;
  /** A client of the configured hub, without a token. */
  anonymous(): HubClient;
  /** A client carrying this machine's token for `room`; fails with advice when there is none. */
  forRoom(room: string): { client: HubClient; credential: StoredCredential };
  /**
   * Which of this machine's agents acts in `room`: --as, else HUDDLE_AGENT, else the only agent
   * this machine registered there.
   */
  agentFor(room: string, credential: StoredCredential): string;
  /** Prints `value` as JSON with --json, or `text` otherwise. */
  print(value: unknown, text: () => string): void;
}

export function createContext(io: CliIO, flags: Flags): CliContext {
  const loaded = loadConfig({ env: io.env, flags, homedir: homedir() });
  const { config } = loaded;
  const json = flags.json === true;
  const credentials = openCredentials(config.home);
  return {
    io,
    loaded,
    config,
    json,
    flags,
    credentials,
    anonymous: () => createHubClient({ url: config.url }),
    forRoom(room) {
      const credential = credentials.get(config.url, room);
      if (!credential) {
        throw new CliError(
          `This machine has no token for room "${room}" on ${config.url}. Join it with "huddle join <code>" (ask an admin to run "huddle pair ${room}"), or list yours with "huddle rooms".`,
        );
      }
      return { client: createHubClient({ url: config.url, token: credential.token }), credential };
    },
    agentFor(room, credential) {
      const chosen = (typeof flags.as === 'string' && flags.as) || io.env.HUDDLE_AGENT;
      if (chosen) return chosen;
      const agents = credential.agents ?? [];
      if (agents.length === 1) return agents[0]!;
      throw new CliError(
        agents.length === 0
          ? `No agent of this machine in room "${room}": register one with "huddle agent ${room} <name>", or pass --as NAME.`
          : `This machine has several agents in room "${room}" (${agents.join(', ')}): choose one with --as NAME or HUDDLE_AGENT.`,
      );
    },
    print(value, text) {
      io.stdout(json ? JSON.stringify(value, null, 2) + '\n' : text());
    },
  };
}
