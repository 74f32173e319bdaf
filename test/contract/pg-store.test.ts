// The PostgreSQL store: the Store contract on a fresh schema of the test database.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { openTempPg } from './pg-temp.js';
import { runStoreContract } from './store-contract.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store contract: postgres (${skip})`, () => {});
else runStoreContract('postgres', () => openTempPg());
