// The floor under the write path: a bare `ws` relay, run as its own process (see relay-process.ts)
// and driven by the same load generator as the hub. It speaks just enough of the hub's stream to
// pass for it: `subscribe` follows a room, `send` numbers the message in its room, writes one
// `event` frame (encoded once) to every follower and answers `sent`. No auth, no store, no
// sync: what any design pays for parsing, framing and the sockets alone.

import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

interface Frame {
  type: string;
  room?: string;
  agent?: string;
  after?: number;
  ref?: string;
  message?: Record<string, unknown>;
}

const rooms = new Map<string, { seq: number; followers: Set<WebSocket> }>();
const roomOf = (name: string) => {
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = { seq: 0, followers: new Set() }));
  return room;
};

// `/healthz` and any other request: 200, so a reader has something to time.
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
const wss = new WebSocketServer({ server, path: '/v1/stream' });

wss.on('connection', (ws) => {
  const followed = new Set<string>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    const ref = frame.ref;
    if (frame.type === 'subscribe' && frame.room) {
      roomOf(frame.room).followers.add(ws);
      followed.add(frame.room);
      ws.send(
        JSON.stringify({ type: 'subscribed', ref, room: frame.room, after: frame.after ?? 0 }),
      );
    } else if (frame.type === 'send' && frame.room) {
      const room = roomOf(frame.room);
      const seq = ++room.seq;
      const message = { ...frame.message, from: frame.agent, seq };
      // Encoded once, the same bytes to every follower, as a text frame: as the hub does.
      const event = Buffer.from(
        JSON.stringify({
          type: 'event',
          event: { room: frame.room, seq, type: 'message', body: { message } },
        }),
      );
      for (const follower of room.followers) follower.send(event, { binary: false });
      ws.send(JSON.stringify({ type: 'sent', ref, message }));
    } else if (frame.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', ref }));
    }
  });
  ws.on('close', () => {
    for (const name of followed) rooms.get(name)?.followers.delete(ws);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
});
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
