// Request body shapes of the REST API. Strict: a field the API does not know is refused.

import { z } from 'zod';

const markdown = z.string();

export const createRoomBody = z.strictObject({
  name: z.string().optional(),
  label: z.string().optional(),
  create_secret: z.string().optional(),
});

export const createCodeBody = z.strictObject({
  scopes: z.array(z.string()).optional(),
  ttl_seconds: z.number().int().optional(),
});

export const joinBody = z.strictObject({
  code: z.string(),
  label: z.string().optional(),
});

export const noteBody = z.strictObject({ text: markdown });

export const checkpointBody = z.strictObject({
  text: markdown,
  expected_version: z.number().int().min(0).optional(),
});

export const DEFAULT_LABEL = 'device';
