// The SQLite store against the presence contract (live connections) on a temporary file.

import { runPresenceContract } from './presence-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runPresenceContract('sqlite (file)', () => openTempSqlite());
