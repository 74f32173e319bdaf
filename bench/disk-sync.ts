// The disk's sync cost, for reading the sync=full numbers: how long one small write plus
// fdatasync takes in the directory the hubs use. A synced SQLite commit costs at least this.

import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempHome } from './hub-process.js';
import { ms, perSecond, summarize } from './stats.js';
import type { BenchResult } from './table.js';

export function diskSync(options: { runs: number }): BenchResult {
  const dir = tempHome('huddle-bench-disk-');
  try {
    const fd = openSync(join(dir.path, 'probe'), 'w');
    const page = Buffer.alloc(4096, 7);
    const samples: number[] = [];
    try {
      for (let i = -10; i < options.runs; i++) {
        const t0 = performance.now();
        writeSync(fd, page, 0, page.length, (i & 63) * page.length);
        fdatasyncSync(fd);
        if (i >= 0) samples.push(performance.now() - t0);
      }
    } finally {
      closeSync(fd);
    }
    const s = summarize(samples);
    const path = '4 KiB write + fdatasync (disk, for reference)';
    return {
      rows: [
        { path, metric: 'p50', value: ms(s.p50) },
        { path, metric: 'p99', value: ms(s.p99) },
        {
          path,
          metric: 'syncs, one at a time (1 / p50)',
          value: perSecond(1000 / (s.p50 || Number.NaN)),
        },
      ],
      notes: [],
    };
  } finally {
    dir.remove();
  }
}
