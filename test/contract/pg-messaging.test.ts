// The PostgreSQL store against the messaging contract (agents, presence, messages, receipts) on a fresh schema.

import { describe } from 'node:test';
import { postgresSkip } from '../helpers/postgres.js';
import { runMessagingContract } from './messaging-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();
if (skip) describe.skip(`Store messaging contract: postgres (${skip})`, () => {});
else runMessagingContract('postgres', () => openTempPg());
