// Idle connections for the load generator: each authenticates at the upgrade, then follows a
// room (unbound, answered `subscribed`) or, without rooms, proves it is served with a `ping`
// answered `pong`; then it only answers the server's WebSocket pings until the run ends.

import type WebSocket from 'ws';
import type { Disconnect, IdleOutcome, IdleSpec } from './loadgen-protocol.js';
import { mapLimit, openSocket, request } from './loadgen-socket.js';

export class IdleGroup {
  private sockets: WebSocket[] = [];
  private closing = false;
  private open = 0;

  constructor(
    private readonly stream: string,
    private readonly spec: IdleSpec,
    private readonly concurrency: number,
    private readonly disconnects: Disconnect[],
  ) {}

  /** Opens every connection; resolves with how many are open and served. */
  async connect(): Promise<number> {
    const indexes = Array.from({ length: this.spec.count }, (_, i) => i);
    await mapLimit(indexes, this.concurrency, (i) =>
      this.connectOne(i).catch((err: Error) =>
        // Recorded, not thrown: one refused connection should not hide how many others opened.
        this.disconnects.push({ role: 'idle', code: 0, reason: `not opened: ${err.message}` }),
      ),
    );
    return this.open;
  }

  private async connectOne(i: number): Promise<void> {
    const ws = await openSocket(this.stream, this.spec.token);
    this.sockets.push(ws);
    let served = false;
    ws.on('close', (code, reason) => {
      if (!served) return; // the failed request records it
      this.open--;
      if (!this.closing) this.disconnects.push({ role: 'idle', code, reason: reason.toString() });
    });
    const rooms = this.spec.rooms;
    if (rooms && rooms.length > 0)
      await request(ws, { type: 'subscribe', room: rooms[i % rooms.length]!, ref: 'idle' });
    else await request(ws, { type: 'ping', ref: 'idle' });
    served = true;
    this.open++;
  }

  close(): IdleOutcome {
    const outcome = {
      open: this.open,
      disconnects: this.disconnects.filter((d) => d.role === 'idle'),
    };
    this.closing = true;
    for (const ws of this.sockets) ws.close();
    return outcome;
  }
}
