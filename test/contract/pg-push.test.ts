// The PostgreSQL store against the push contract (hub settings, push subscriptions) on a fresh
// schema of the test database.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { runPushContract } from './push-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store push contract: postgres (${skip})`, () => {});
else runPushContract('postgres', () => openTempPg());
