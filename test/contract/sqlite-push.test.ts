// The SQLite store against the push contract (hub settings, push subscriptions) on a temporary file.

import { runPushContract } from './push-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runPushContract('sqlite (file)', () => openTempSqlite());
