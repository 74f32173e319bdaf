// The PostgreSQL store against the coordination contract (tasks, variables, leases, activity) on a fresh schema.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { runCoordinationContract } from './coordination-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store coordination contract: postgres (${skip})`, () => {});
else runCoordinationContract('postgres', () => openTempPg());
