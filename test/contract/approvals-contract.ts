// The approval cases every Store must pass, written only against the Store interface: a request
// and its event, exactly one answer under concurrency, refusals naming the first answer, expiry.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ApprovalSettlement, NewApproval, Store } from '../../src/core/store.js';
import type { Approval, EventDraft, Room } from '../../src/core/types.js';
import { huddleError, type OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const SECOND = 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

const draft = (type: string, body: Record<string, unknown>, ts = T0): EventDraft => ({
  id: id('ev'),
  ts,
  actor: null,
  type,
  body,
});

async function createRoom(store: Store): Promise<Room> {
  const memberId = id('mem');
  const { room } = await store.createRoom({
    room: { id: id('room'), name: id('room').replace('_', '-'), created_at: T0 },
    member: { id: memberId, label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: randomBytes(32).toString('hex'),
    event: draft('room.created', {}),
  });
  return room;
}

function newApproval(extra: Partial<NewApproval> = {}): NewApproval {
  return {
    id: id('apr'),
    agent: 'claude-api',
    client: 'claude-code',
    tool: 'Bash',
    input_preview: 'rm -rf build && npm run build',
    reason: 'Clean and rebuild',
    requested_at: T0,
    expires_at: T0 + 300 * SECOND,
    match_key: null,
    ...extra,
  };
}

const ALICE = { member_id: 'mem_alice', label: 'alice-phone', agent: 'alice' };

function decision(status: 'allowed' | 'denied', at = T0 + 10 * SECOND): ApprovalSettlement {
  return { status, at, decided_by: ALICE, decision_reason: status === 'denied' ? 'not now' : null };
}

const requested = (a: Approval) => draft('approval.requested', { approval: a });

const cancel: ApprovalSettlement = {
  status: 'cancelled',
  at: T0 + SECOND,
  decided_by: null,
  decision_reason: 'the hook stopped',
};

const decidedEvent = (a: Approval) =>
  draft('approval.decided', { approval: a, decided_by: a.decided_by }, T0 + 10 * SECOND);

export function runApprovalsContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store approvals contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let room: Room;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      room = await createRoom(store);
    });
    afterEach(() => opened.cleanup());

    it('stores a pending request with its event, and reads it back', async () => {
      const input = newApproval();
      const { approval, event } = await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      const expected: Approval = {
        id: input.id,
        room: room.name,
        agent: 'claude-api',
        client: 'claude-code',
        tool: 'Bash',
        input_preview: input.input_preview,
        reason: 'Clean and rebuild',
        status: 'pending',
        requested_at: iso(T0),
        expires_at: iso(T0 + 300 * SECOND),
        decided_at: null,
        decided_by: null,
        decision_reason: null,
        waiters: 1,
      };
      assert.deepEqual(approval, expected);
      assert.ok(event);
      assert.equal(event.type, 'approval.requested');
      assert.equal(event.seq, 2);
      assert.deepEqual(event.body.approval, expected);
      assert.deepEqual(await store.getApproval(room.id, input.id), expected);
      assert.equal(await store.getApproval(room.id, 'apr_nope'), null);
    });

    it('lists newest first, pending only or all, at most limit', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = newApproval({ requested_at: T0 + i * SECOND });
        ids.push(a.id);
        await store.createApproval(room.id, a, (x) => draft('approval.requested', { approval: x }));
      }
      await store.settleApproval(room.id, ids[1]!, decision('allowed'), decidedEvent);
      const all = await store.listApprovals(room.id, { pending_only: false, limit: 10 });
      assert.deepEqual(
        all.map((a) => a.id),
        [ids[2], ids[1], ids[0]],
      );
      const pending = await store.listApprovals(room.id, { pending_only: true, limit: 10 });
      assert.deepEqual(
        pending.map((a) => a.id),
        [ids[2], ids[0]],
      );
      const one = await store.listApprovals(room.id, { pending_only: false, limit: 1 });
      assert.deepEqual(
        one.map((a) => a.id),
        [ids[2]],
      );
    });

    it('records the decision and who made it, with its event, in one write', async () => {
      const input = newApproval();
      await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      const { approval, event } = await store.settleApproval(
        room.id,
        input.id,
        decision('denied'),
        decidedEvent,
      );
      assert.equal(approval.status, 'denied');
      assert.equal(approval.decided_at, iso(T0 + 10 * SECOND));
      assert.deepEqual(approval.decided_by, ALICE);
      assert.equal(approval.decision_reason, 'not now');
      assert.equal(event.type, 'approval.decided');
      assert.deepEqual(event.body.approval, approval);
      assert.deepEqual(await store.getApproval(room.id, input.id), approval);
    });

    it('of concurrent decisions exactly one wins; the others name it', async () => {
      const input = newApproval();
      await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      const before = (await store.findRoom(room.name))!.last_seq;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.settleApproval(
            room.id,
            input.id,
            decision(i % 2 ? 'allowed' : 'denied'),
            decidedEvent,
          ),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      const winner = (won[0] as PromiseFulfilledResult<{ approval: Approval }>).value.approval;
      for (const r of results.filter((x) => x.status === 'rejected')) {
        const err = (r as PromiseRejectedResult).reason as {
          code: string;
          kind: string;
          details: Record<string, unknown>;
        };
        assert.deepEqual([err.code, err.kind], ['approval_already_decided', 'conflict']);
        assert.equal(err.details.status, winner.status);
        assert.deepEqual(err.details.decided_by, ALICE);
      }
      assert.equal((await store.findRoom(room.name))!.last_seq, before + 1, 'one event');
    });

    it('refuses a late decision as expired, and an unknown id, changing nothing', async () => {
      const input = newApproval({ expires_at: T0 + 5 * SECOND });
      await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      const before = (await store.findRoom(room.name))!.last_seq;
      await assert.rejects(
        store.settleApproval(room.id, input.id, decision('allowed', T0 + 5 * SECOND), decidedEvent),
        huddleError('approval_expired', 'conflict'),
      );
      await assert.rejects(
        store.settleApproval(room.id, 'apr_unknown', decision('allowed'), decidedEvent),
        huddleError('approval_not_found', 'not_found'),
      );
      assert.equal((await store.getApproval(room.id, input.id))!.status, 'pending');
      assert.equal((await store.findRoom(room.name))!.last_seq, before);
    });

    it('expires due requests with one event each, once, in one room or all', async () => {
      const other = await createRoom(store);
      const soon = newApproval({ expires_at: T0 + 5 * SECOND });
      const later = newApproval({ expires_at: T0 + 50 * SECOND });
      const elsewhere = newApproval({ expires_at: T0 + 5 * SECOND });
      const decidedOne = newApproval({ expires_at: T0 + 5 * SECOND });
      for (const a of [soon, later, decidedOne])
        await store.createApproval(room.id, a, (x) => draft('approval.requested', { approval: x }));
      await store.createApproval(other.id, elsewhere, (x) =>
        draft('approval.requested', { approval: x }),
      );
      await store.settleApproval(room.id, decidedOne.id, decision('allowed', T0), decidedEvent);
      const expire = (a: Approval) =>
        draft('approval.decided', { approval: a, decision: 'expired' });

      const inRoom = await store.expireApprovals(T0 + 10 * SECOND, expire, room.id);
      assert.deepEqual(
        inRoom.map((e) => [e.room_id, (e.event.body.approval as Approval).id]),
        [[room.id, soon.id]],
      );
      const expired = await store.getApproval(room.id, soon.id);
      assert.equal(expired!.status, 'expired');
      assert.equal(expired!.decided_at, iso(T0 + 10 * SECOND));
      assert.equal(expired!.decided_by, null);
      assert.equal((await store.getApproval(room.id, decidedOne.id))!.status, 'allowed');
      assert.equal((await store.getApproval(other.id, elsewhere.id))!.status, 'pending');

      const everywhere = await store.expireApprovals(T0 + 10 * SECOND, expire);
      assert.deepEqual(
        everywhere.map((e) => e.room_id),
        [other.id],
      );
      assert.deepEqual(await store.expireApprovals(T0 + 10 * SECOND, expire), [], 'only once');
      await assert.rejects(
        store.settleApproval(room.id, soon.id, decision('allowed'), decidedEvent),
        huddleError('approval_expired', 'conflict'),
      );
    });

    it('a cancelled request is not decided afterwards', async () => {
      const input = newApproval();
      await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      const cancel: ApprovalSettlement = {
        status: 'cancelled',
        at: T0 + SECOND,
        decided_by: null,
        decision_reason: 'answered in the terminal',
      };
      const { approval } = await store.settleApproval(room.id, input.id, cancel, decidedEvent);
      assert.equal(approval.status, 'cancelled');
      await assert.rejects(
        store.settleApproval(room.id, input.id, decision('allowed'), decidedEvent),
        huddleError('approval_already_decided', 'conflict'),
      );
    });

    it('joins a pending request of the same agent, tool and match key, with no event', async () => {
      const key = '{"command":"rm -rf build && npm run build","description":"Clean and rebuild"}';
      const first = newApproval({ match_key: key });
      const made = await store.createApproval(room.id, first, requested);
      assert.equal(made.joined, false);
      const before = (await store.findRoom(room.name))!.last_seq;
      const again = await store.createApproval(
        room.id,
        newApproval({ match_key: key, input_preview: 'other', requested_at: T0 + SECOND }),
        requested,
      );
      assert.equal(again.joined, true);
      assert.equal(again.event, null);
      assert.deepEqual(again.approval, { ...made.approval, waiters: 2 });
      assert.equal((await store.findRoom(room.name))!.last_seq, before, 'no event');
      const pending = await store.listApprovals(room.id, { pending_only: true, limit: 10 });
      assert.deepEqual(
        pending.map((a) => a.id),
        [first.id],
      );
    });

    it('never joins another agent, tool or key, a request without a key, or one that ended', async () => {
      const key = '{"command":"npm test"}';
      const base = await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      const others = [
        newApproval({ match_key: key, agent: 'codex-web' }),
        newApproval({ match_key: key, tool: 'Write' }),
        newApproval({ match_key: '{"command":"npm test "}' }),
        newApproval({ match_key: null }),
      ];
      for (const a of others) {
        const r = await store.createApproval(room.id, a, requested);
        assert.equal(r.joined, false, JSON.stringify(a));
        assert.equal(r.approval.id, a.id);
      }
      const keyless = await store.createApproval(
        room.id,
        newApproval({ match_key: null }),
        requested,
      );
      assert.equal(keyless.joined, false, 'a request without a key joins none');
      // Decided: the next request with the key is new.
      await store.settleApproval(room.id, base.approval.id, decision('allowed'), decidedEvent);
      const afterDecision = await store.createApproval(
        room.id,
        newApproval({ match_key: key, requested_at: T0 + 20 * SECOND }),
        requested,
      );
      assert.equal(afterDecision.joined, false);
      // Past its expiry (even before the sweep marks it): the next one is new.
      const late = await store.createApproval(
        room.id,
        newApproval({ match_key: key, requested_at: T0 + 300 * SECOND }),
        requested,
      );
      assert.equal(late.joined, false);
      assert.notEqual(late.approval.id, afterDecision.approval.id);
    });

    it('of concurrent identical requests one creates and the others join', async () => {
      const key = '{"file_path":"/src/a.ts","content":"x"}';
      const before = (await store.findRoom(room.name))!.last_seq;
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          store.createApproval(room.id, newApproval({ match_key: key, tool: 'Write' }), requested),
        ),
      );
      assert.equal(results.filter((r) => !r.joined).length, 1);
      assert.equal(new Set(results.map((r) => r.approval.id)).size, 1);
      assert.equal((await store.getApproval(room.id, results[0]!.approval.id))!.waiters, 6);
      assert.equal((await store.findRoom(room.name))!.last_seq, before + 1, 'one event');
    });

    it('a joined request stays pending until its last waiter withdraws', async () => {
      const key = '{"command":"make deploy"}';
      const first = await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      const before = (await store.findRoom(room.name))!.last_seq;
      const one = await store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent);
      assert.deepEqual(
        [one.approval.status, one.event, one.approval.waiters],
        ['pending', null, 2],
      );
      const two = await store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent);
      assert.deepEqual([two.approval.status, two.approval.waiters], ['pending', 1]);
      assert.equal((await store.findRoom(room.name))!.last_seq, before, 'no event yet');
      const last = await store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent);
      assert.equal(last.approval.status, 'cancelled');
      assert.equal(last.event?.type, 'approval.decided');
      await assert.rejects(
        store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent),
        huddleError('approval_already_decided', 'conflict'),
      );
    });

    it('two waiters withdrawing at once: one leaves, the other cancels', async () => {
      const key = '{"command":"make clean"}';
      const first = await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      const both = await Promise.all([
        store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent),
        store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent),
      ]);
      assert.deepEqual(both.map((r) => r.approval.status).sort(), ['cancelled', 'pending']);
      assert.equal((await store.getApproval(room.id, first.approval.id))!.status, 'cancelled');
    });

    it('a decision ends a joined request for every waiter; a late withdrawal is refused', async () => {
      const key = '{"command":"npm publish"}';
      const first = await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      await store.createApproval(room.id, newApproval({ match_key: key }), requested);
      await store.settleApproval(room.id, first.approval.id, decision('denied'), decidedEvent);
      await assert.rejects(
        store.withdrawApproval(room.id, first.approval.id, cancel, decidedEvent),
        huddleError('approval_already_decided', 'conflict'),
      );
      // Withdrawing after the expiry is refused as expired, even with two waiters.
      const due = await store.createApproval(
        room.id,
        newApproval({ match_key: '{"command":"ls"}', expires_at: T0 + 5 * SECOND }),
        requested,
      );
      await store.createApproval(
        room.id,
        newApproval({ match_key: '{"command":"ls"}' }),
        requested,
      );
      await assert.rejects(
        store.withdrawApproval(
          room.id,
          due.approval.id,
          { ...cancel, at: T0 + 5 * SECOND },
          decidedEvent,
        ),
        huddleError('approval_expired', 'conflict'),
      );
    });

    it('goes away with its room', async () => {
      const input = newApproval();
      await store.createApproval(room.id, input, (a) =>
        draft('approval.requested', { approval: a }),
      );
      await store.deleteRoom(room.id);
      assert.equal(await store.getApproval(room.id, input.id), null);
    });
  });
}
