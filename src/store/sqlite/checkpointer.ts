// The store's side of the checkpoint worker: starts it, holds commits back for a moment when it
// asks, so the WAL can start over, and stops it.

import { Worker } from 'node:worker_threads';
import type {
  CheckpointWorkerCommand,
  CheckpointWorkerData,
  CheckpointWorkerMessage,
} from './checkpoint-worker.js';
import type { GroupCommit } from './group-commit.js';

/** The longest commits are held back for the worker, whatever it does meanwhile. */
const MAX_HOLD_MS = 250;

export interface Checkpointer {
  /** Stops the worker and closes its connection. */
  stop(): Promise<void>;
}

/** Runs checkpoint-worker.ts in a worker thread on its own connection to the database. */
export function startCheckpointer(data: CheckpointWorkerData, group: GroupCommit): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: data,
  });
  const send = (command: CheckpointWorkerCommand) => worker.postMessage(command);
  worker.unref();
  worker.on('error', () => {
    // A failed checkpointer only lets the WAL grow until close() truncates it.
  });

  // Past the WAL's limit the worker asks for a pause in commits while it copies the last frames,
  // so that the next write starts the WAL over (see checkpoint-worker.ts). Acknowledgements wait;
  // the event loop does not.
  let stopping = false;
  let endHold: (() => void) | undefined;
  const release = () => {
    endHold?.();
    endHold = undefined;
  };
  worker.on('message', (message: CheckpointWorkerMessage) => {
    if (message.type === 'finished') release();
    if (message.type !== 'wal-over-limit' || stopping) return;
    if (!endHold) {
      group.hold(
        new Promise<void>((resolve) => {
          const timeout = setTimeout(release, MAX_HOLD_MS);
          endHold = () => {
            clearTimeout(timeout);
            resolve();
          };
        }),
      );
    }
    send('finish');
  });
  worker.once('exit', release);

  return {
    async stop() {
      stopping = true;
      release();
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m: CheckpointWorkerMessage) => m.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      send('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
