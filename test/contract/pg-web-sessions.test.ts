// The PostgreSQL store against the browser session contract on a fresh schema of the
// test database.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { runWebSessionContract } from './web-session-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store contract, browser sessions: postgres (${skip})`, () => {});
else runWebSessionContract('postgres', () => openTempPg());
