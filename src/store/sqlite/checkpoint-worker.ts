// Runs in a worker thread: moves the WAL into the database file on its own connection, so the
// hub's event loop never stalls on a checkpoint, and keeps the WAL file near its size limit.

import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  path: string;
  /** How often a PASSIVE checkpoint runs, and how long without writes counts as idle. */
  intervalMs: number;
  /** Past this size the WAL is copied into the database and started over. */
  walLimitBytes: number;
}

/** What the worker posts to the store. */
export type CheckpointWorkerMessage =
  | { type: 'wal-over-limit' }
  | { type: 'finished' }
  | { type: 'stopped' }
  | { type: 'error'; error: string };

/** What the store posts to the worker. */
export type CheckpointWorkerCommand = 'finish' | 'stop';

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** How often the WAL's size is looked at (a stat call), so a burst cannot run far past the limit. */
const POLL_MS = 25;
/** PASSIVE rounds before asking for a pause: each copies what was written during the one before. */
const PASSIVE_ROUNDS = 3;
/** Frames few enough to copy during the pause; more, and another round runs first. */
const RESIDUAL_FRAMES = 256;

const { path, intervalMs, walLimitBytes } = workerData as CheckpointWorkerData;
const walPath = `${path}-wal`;
const pollMs = Math.min(POLL_MS, intervalMs);
const db = new Database(path);
// Never wait for a lock: PASSIVE takes none that can be busy, and the idle TRUNCATE holds the
// writer lock while it waits for readers, so waiting there (say for a program outside the hub that
// keeps a read transaction open) would stall the hub's next commit. Busy, it tries again later.
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');

const checkpoint = (mode: 'PASSIVE' | 'TRUNCATE') =>
  (db.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[])[0]!;
const post = (message: CheckpointWorkerMessage) => parentPort?.postMessage(message);

function walSize(): number {
  try {
    return statSync(walPath).size;
  } catch {
    return 0;
  }
}

/** Copies all but the frames of the last few milliseconds. */
function copyMost(): CheckpointResult {
  let r = checkpoint('PASSIVE');
  for (let round = 1; round < PASSIVE_ROUNDS && r.log - r.checkpointed > RESIDUAL_FRAMES; round++)
    r = checkpoint('PASSIVE');
  return r;
}

/*
 * Why PASSIVE alone lets the WAL grow without bound: SQLite writes the WAL from its beginning
 * again only when a write begins with every frame already copied into the database, and under
 * steady writes a commit always lands between the end of one PASSIVE round and the next write.
 *
 * So past the limit this worker copies nearly everything (PASSIVE, blocking no one), then asks the
 * store to hold its next commit ('wal-over-limit'); once held, the store sends 'finish', and one
 * more PASSIVE copies the frames of the last few milliseconds. The hub being the only writer, its
 * next write then starts the WAL over, and its journal_size_limit cuts the file back to the limit.
 *
 * Why not RESTART or TRUNCATE from here, as SQLite offers: they take the writer lock, which a busy
 * hub holds most of the time (they then give up, busy), and when they get it the hub's synchronous
 * commit sleeps in its busy handler, blocking the event loop in steps that add up to more than the
 * checkpoint took. The hold delays only acknowledgements (held writes commit together afterwards;
 * none fails), for as long as the last copy and its sync take, and never longer than
 * checkpointer.ts allows.
 */
let asked = false;
/** The WAL's last frame when a pause last ended: it is the same while the hub has not written. */
let finishedAt = -1;
let backoffMs = 0;
let sincePassive = 0;
let lastLog = -1;

function tick() {
  if (asked) return;
  backoffMs = Math.max(0, backoffMs - pollMs);
  // Past the limit with nothing written since the last pause, the WAL waits for the next write
  // (which starts it over) or for the idle truncation below.
  if (backoffMs === 0 && walSize() > walLimitBytes && copyMost().log !== finishedAt) {
    post({ type: 'wal-over-limit' });
    asked = true;
    return;
  }
  sincePassive += pollMs;
  if (sincePassive < intervalMs) return;
  sincePassive = 0;
  const r = checkpoint('PASSIVE');
  // No frame added for a whole interval and all copied: the store is idle, give the file back.
  // TRUNCATE takes the writer lock, but with nothing left to copy it holds it only to cut the file.
  if (r.log > 0 && r.log === lastLog && r.checkpointed === r.log) {
    lastLog = checkpoint('TRUNCATE').busy === 0 ? 0 : r.log;
  } else lastLog = r.log;
}

/** Runs while the store holds its commits: copies the rest. */
function finish() {
  const r = checkpoint('PASSIVE');
  finishedAt = r.log;
  // Frames left while the hub was not writing: a reader outside the hub keeps an old snapshot.
  // Until it lets go the WAL cannot start over; ask again only after a while.
  if (r.log > r.checkpointed) backoffMs = intervalMs;
}

const guarded = (fn: () => void) => () => {
  try {
    fn();
  } catch (err) {
    post({ type: 'error', error: String(err) });
  }
};

const timer = setInterval(guarded(tick), pollMs);

parentPort?.on('message', (command: CheckpointWorkerCommand) => {
  if (command === 'finish') {
    guarded(finish)();
    asked = false;
    post({ type: 'finished' });
    return;
  }
  clearInterval(timer);
  db.close();
  post({ type: 'stopped' });
});
