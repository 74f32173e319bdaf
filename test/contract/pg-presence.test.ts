// The PostgreSQL store against the presence contract (live connections) on a fresh schema.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { openTempPg } from './pg-temp.js';
import { runPresenceContract } from './presence-contract.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store presence contract: postgres (${skip})`, () => {});
else runPresenceContract('postgres', () => openTempPg());
