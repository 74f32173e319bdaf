// The SQLite store against the shared rate-limit contract, on a temporary file.

import { runRateLimitContract } from './rate-limit-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runRateLimitContract('sqlite (file)', () => openTempSqlite());
