// The load generator: a process of its own (forked by bench/loadgen-run.ts), so that its work
// never shares an event loop with the benchmark or the server. Over IPC it takes a config, opens
// its sockets and says `ready`; on `go` it sends and reads until the run ends and reports what it
// sent; on `expect` its receivers wait for every acknowledged message and it reports everything
// measured; on `stop` it closes its sockets (the idle ones last of all) and exits.

import { IdleGroup } from './loadgen-idle.js';
import {
  monoMs,
  type Disconnect,
  type FromLoadgen,
  type LoadgenConfig,
  type ToLoadgen,
} from './loadgen-protocol.js';
import { ReaderGroup } from './loadgen-reader.js';
import { ReceiverGroup } from './loadgen-receiver.js';
import { SenderGroup } from './loadgen-sender.js';

function tell(message: FromLoadgen): void {
  process.send!(message);
}

let config: LoadgenConfig | undefined;
const disconnects: Disconnect[] = [];
let senders: SenderGroup | undefined;
let receivers: ReceiverGroup | undefined;
let idle: IdleGroup | undefined;
let readers: ReaderGroup | undefined;
let drainMs = 0;

async function handle(message: ToLoadgen): Promise<void> {
  switch (message.type) {
    case 'config': {
      config = message.config;
      senders = new SenderGroup(config, disconnects);
      receivers = new ReceiverGroup(config, disconnects);
      if (config.readers) readers = new ReaderGroup(config.readers);
      // Receivers first: they must be following the room before the first message is sent.
      await receivers.connect();
      await senders.connect();
      let idleOpen = 0;
      if (config.idle) {
        idle = new IdleGroup(config.stream, config.idle, config.connectConcurrency, disconnects);
        idleOpen = await idle.connect();
      }
      tell({ type: 'ready', idleOpen });
      return;
    }
    case 'go': {
      drainMs = message.timing.drainMs;
      receivers!.start(message.timing);
      const [sent] = await Promise.all([
        senders!.run(message.timing),
        readers?.run(message.timing),
      ]);
      tell({ type: 'sent', senders: sent });
      return;
    }
    case 'expect': {
      await receivers!.await(message.acked, monoMs() + drainMs);
      const reads: Record<string, Float64Array> = {};
      for (const [path, samples] of readers?.samples ?? []) reads[path] = samples.toArray();
      tell({
        type: 'result',
        result: {
          receivers: receivers!.outcomes(),
          delivery: receivers!.delivery.toArray(),
          ack: senders!.ack.toArray(),
          lateness: senders!.lateness.toArray(),
          deliveredInWindow: receivers!.deliveredInWindow,
          ackedInWindow: senders!.ackedInWindow,
          disconnects: disconnects.filter((d) => d.role !== 'idle'),
          reads,
          readErrors: readers?.errors ?? 0,
          firstReadError: readers?.firstError,
        },
      });
      return;
    }
    case 'stop': {
      senders?.close();
      receivers?.close();
      const outcome = idle?.close() ?? { open: 0, disconnects: [] };
      tell({ type: 'stopped', idle: outcome });
      // Let the close frames go out, then leave.
      setTimeout(() => process.exit(0), 200);
      return;
    }
  }
}

// Messages are handled one at a time, in order, as they arrive.
let queue = Promise.resolve();
process.on('message', (message: ToLoadgen) => {
  queue = queue.then(() =>
    handle(message).catch((err: Error) => {
      tell({ type: 'failed', message: err.stack ?? err.message });
      setTimeout(() => process.exit(1), 200);
    }),
  );
});
// The benchmark went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));
