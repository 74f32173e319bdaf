// SCAFFOLD: replaced by the real slice.
import type { Store } from '../../core/store.js';
import type { PgContext } from './pg-context.js';
export function createPgWebSessions(_ctx: PgContext): Store {
  return {} as Store;
}
