// Small shared pieces of the views: errors, Markdown, times, presence dots, code refs, receipt
// ladders.

import type { ComponentChildren } from 'preact';
import { renderMarkdown } from '../markdown.js';
import { receiptStep } from '../room-state.js';
import type { CodeRef, Receipt } from '../types.js';

/** A refusal or failure to show beside the control that caused it, read out by screen readers. */
export function ErrorLine({ text }: { text: string | null | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}

export function Markdown({ text }: { text: string }) {
  // markdown-it with html disabled escapes every character of the body it does not turn into
  // its own markup, so no tag or attribute from the text reaches the page.
  return <div class="md" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return null;
  const d = new Date(at);
  const same = d.toDateString() === new Date().toDateString();
  const text = same
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return (
    <time dateTime={at} title={d.toLocaleString()}>
      {text}
    </time>
  );
}

export function Status({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`}>
      <span class="dot" aria-hidden="true" />
      {status}
    </span>
  );
}

export function refText(r: CodeRef): string {
  if (r.start_line == null) return r.path;
  if (r.end_line == null || r.end_line === r.start_line) return `${r.path}:${r.start_line}`;
  return `${r.path}:${r.start_line}-${r.end_line}`;
}

export function Refs({ refs }: { refs: CodeRef[] }) {
  if (!refs.length) return null;
  return (
    <ul class="refs" aria-label="Code references">
      {refs.map((r, i) => (
        <li key={i}>
          <code>{refText(r)}</code>
          {r.snippet ? <pre class="snippet">{r.snippet}</pre> : null}
        </li>
      ))}
    </ul>
  );
}

const LADDER = ['stored', 'delivered', 'injected', 'read', 'acked'] as const;

export function Ladder({ receipts }: { receipts: Map<string, Receipt> | undefined }) {
  if (!receipts || receipts.size === 0) return null;
  return (
    <ul class="ladder" aria-label="Receipts">
      {[...receipts.values()].map((r) => {
        const step = receiptStep(r);
        const n = LADDER.indexOf(step);
        return (
          <li key={r.agent} data-agent={r.agent} data-step={step}>
            <span class="ladder-agent">{r.agent}</span>
            <span class="steps">
              {LADDER.map((s, i) => (
                <span key={s} class={i <= n ? 'step on' : 'step'} title={s}>
                  {s}
                </span>
              ))}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
