// A room's permission requests: pending first (Allow / Deny), then the decided ones.

import { useBox } from '../box.js';
import type { RoomState } from '../room-state.js';
import { version } from '../store.js';
import { ApprovalCard } from './approval-card.js';
import { Empty } from './bits.js';
import { canApprove } from './needs-you.js';

export function Approvals({ s, focus }: { s: RoomState; focus?: string | undefined }) {
  useBox(version);
  const list = [...s.approvals.values()].sort(
    (a, b) =>
      Number(b.status === 'pending') - Number(a.status === 'pending') ||
      b.requested_at.localeCompare(a.requested_at),
  );
  if (list.length === 0) return <Empty>No permission requests in this room.</Empty>;
  return (
    <ul class="feed">
      {list.map((a) => (
        <li key={a.id} class={focus === a.id ? 'focus' : ''}>
          <ApprovalCard approval={a} canDecide={canApprove(s)} />
        </li>
      ))}
    </ul>
  );
}
