// The PostgreSQL store against the approvals contract, on a fresh schema of the test database.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { runApprovalsContract } from './approvals-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store approvals contract: postgres (${skip})`, () => {});
else runApprovalsContract('postgres', () => openTempPg());
