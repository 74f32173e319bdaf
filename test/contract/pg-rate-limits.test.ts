// The PostgreSQL store against the shared rate-limit contract, on a fresh schema.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { openTempPg } from './pg-temp.js';
import { runRateLimitContract } from './rate-limit-contract.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store rate-limit contract: postgres (${skip})`, () => {});
else runRateLimitContract('postgres', () => openTempPg());
