// The SQLite store against the coordination contract (tasks, variables, leases, activity) on a temporary file.

import { runCoordinationContract } from './coordination-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runCoordinationContract('sqlite (file)', () => openTempSqlite());
