// The SQLite store against the messaging contract (agents, presence, messages, receipts) on a temporary file.

import { runMessagingContract } from './messaging-contract.js';
import { openTempSqlite } from './sqlite-temp.js';

runMessagingContract('sqlite (file)', () => openTempSqlite());
