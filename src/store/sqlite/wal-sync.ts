// Makes the WAL durable off the event loop: `fdatasync` of the WAL file on libuv's thread pool,
// so a slow disk delays acknowledgements but never reading, parsing or serving reads.

import { close, fdatasync, openSync } from 'node:fs';

export interface WalSync {
  /** Syncs everything written to the WAL before the call; rejects when the disk reports an error. */
  sync(): Promise<void>;
  close(): void;
}

/**
 * Opens `<db>-wal`, which SQLite keeps (same file, same inode) while the store's connection is
 * open. `delayMs` makes each sync wait that long first: a test hook that stands in for a slow disk.
 */
export function openWalSync(dbPath: string, delayMs = 0): WalSync {
  // Read and write: some systems refuse to flush a file opened for reading only. Nothing is written.
  const fd = openSync(`${dbPath}-wal`, 'r+');
  const flush = () =>
    new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  return {
    sync() {
      if (delayMs <= 0) return flush();
      return new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(flush);
    },
    close() {
      close(fd, () => {});
    },
  };
}
