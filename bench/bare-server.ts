// The ceiling of this machine for one small POST per request: a bare node:http server in its own
// process that parses the JSON body and answers 201, driven by the same load generator as the hub.

import { startListening } from './node-process.js';

/** The whole server: no routing, no auth, no store. */
const SERVER = `
const { createServer } = require('node:http');
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const note = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const out = JSON.stringify({ event: { seq: 1, type: 'note', body: { text: note.text } } });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface BareServer {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startBareServer(): Promise<BareServer> {
  const server = await startListening<{ port: number }>(
    ['-e', SERVER],
    'the bare node:http server',
  );
  return {
    url: `http://127.0.0.1:${server.ready.port}`,
    pid: server.pid,
    stop: () => server.stop(),
  };
}
