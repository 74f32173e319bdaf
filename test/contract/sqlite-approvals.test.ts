// The SQLite store against the approvals contract, on a temporary file.

import { runApprovalsContract } from './approvals-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runApprovalsContract('sqlite (file)', () => openTempSqlite());
