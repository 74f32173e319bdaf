// The SQLite store against the browser session contract on a temporary file.

import { runWebSessionContract } from './web-session-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runWebSessionContract('sqlite (file)', () => openTempSqlite());
