// The pure parts of the hooks: reading stdin, the lease guard's rule, paths relative to the
// project, and the text budget that shortens a message only with a note.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTEXT_BUDGET, renderDigest, renderMessages } from '../../src/hooks/context-text.js';
import { HookInputError, parseHookInput } from '../../src/hooks/hook-input.js';
import { blockingLease, denyReason, projectPath } from '../../src/hooks/lease-guard.js';
import type { InboxItem, Lease, Message } from '../../src/core/types.js';

function lease(agent: string, mode: 'exclusive' | 'shared', paths = ['src/auth/**']): Lease {
  return {
    id: `L-${agent}`,
    agent,
    mode,
    paths,
    reason: 'refactor <auth>',
    ttl_seconds: 1800,
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: '2026-01-01T00:30:00.000Z',
  } as Lease;
}

function item(id: string, body: string): InboxItem {
  const message = {
    id,
    seq: 1,
    room: 'alpha',
    from: 'bob',
    to: 'alice',
    recipients: ['alice'],
    kind: 'chat',
    body,
    thread: id,
    reply_to: null,
    refs: [],
    priority: 'normal',
    depth: 0,
    created_at: '2026-01-01T00:00:00.000Z',
  } as Message;
  return { message, receipt: {} as InboxItem['receipt'] };
}

describe('parseHookInput', () => {
  it('keeps the known fields of the right type and drops the rest', () => {
    const input = parseHookInput(
      JSON.stringify({
        session_id: 's1',
        cwd: '/p',
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: '/p/a.ts' },
        stop_hook_active: 'yes',
        source: 42,
        extra: true,
      }),
    );
    assert.deepEqual(input, {
      session_id: 's1',
      cwd: '/p',
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: { file_path: '/p/a.ts' },
    });
    assert.deepEqual(parseHookInput('  '), {});
  });

  it('refuses text that is not a JSON object', () => {
    for (const bad of ['{', '[]', '"x"', 'null'])
      assert.throws(() => parseHookInput(bad), HookInputError);
  });
});

describe('lease guard', () => {
  it("refuses another agent's exclusive lease, and a shared one unless the editor shares too", () => {
    assert.equal(blockingLease([lease('bob', 'exclusive')], 'alice')?.agent, 'bob');
    assert.equal(blockingLease([lease('alice', 'exclusive')], 'alice'), null);
    assert.equal(blockingLease([lease('bob', 'shared')], 'alice')?.agent, 'bob');
    assert.equal(blockingLease([lease('bob', 'shared'), lease('alice', 'shared')], 'alice'), null);
    assert.equal(
      blockingLease([lease('bob', 'exclusive'), lease('alice', 'shared')], 'alice')?.agent,
      'bob',
    );
    assert.equal(blockingLease([], 'alice'), null);
  });

  it('names the holder, the lease and what to do, with angle brackets escaped', () => {
    const text = denyReason('src/auth/a.ts', lease('bob', 'exclusive'));
    assert.match(text, /src\/auth\/a\.ts is leased by agent "bob" \(lease L-bob, exclusive/);
    assert.match(text, /refactor &lt;auth&gt;/);
    assert.match(text, /send tool/);
  });

  it('takes paths relative to the project, and none outside it', () => {
    assert.equal(projectPath('/p', '/p', '/p/src/a.ts'), 'src/a.ts');
    assert.equal(projectPath('/p', '/p/src', 'a.ts'), 'src/a.ts');
    assert.equal(projectPath('/p', '/p', '/other/a.ts'), null);
    assert.equal(projectPath('/p', '/p', '../p2/a.ts'), null);
    assert.equal(projectPath('/p', '/p', '/p'), null);
  });
});

describe('context text', () => {
  it('frames each message whole while it fits', () => {
    const text = renderMessages([item('msg_1', 'hello <b>'), item('msg_2', 'second')]);
    assert.match(text, /^huddle: 2 new messages from other agents/);
    assert.match(text, /\[message msg_1 from agent "bob"/);
    assert.match(text, /> hello &lt;b&gt;/);
    assert.match(text, /> second/);
    assert.doesNotMatch(text, /shortened/);
  });

  it('shortens a message past the budget with a note saying how to read it whole', () => {
    const text = renderMessages([item('msg_big', 'x'.repeat(20_000)), item('msg_small', 'ok')]);
    assert.ok(text.length <= CONTEXT_BUDGET, `${text.length} characters`);
    assert.match(text, /\[shortened: \d+ characters in all; .*ids \["msg_big"\]\]/);
    assert.match(text, /> ok/);
  });

  it('renders a digest with the checkpoint headline, unread count, tasks and leases', () => {
    const text = renderDigest(
      {
        room: 'alpha',
        agent: 'alice',
        checkpoint: {
          text: '\n  Ship <auth> first\nmore',
          version: 3,
          updated_by: { member_id: 'm', label: 'bob' },
          updated_at: null,
        },
        unread: 2,
        uninjected: 1,
        tasks: [],
        leases: [lease('alice', 'exclusive')],
      },
      'compact',
    );
    assert.match(text, /you are agent "alice" in room "alpha" \(session compact\)/);
    assert.match(text, /Checkpoint v3 by bob, its first line \(.*\):\n> Ship &lt;auth&gt; first\n/);
    assert.match(text, /2 unread messages/);
    assert.match(text, /Your leases:\n {2}L-alice alice exclusive src\/auth\/\*\*/);
  });
});
