// The preview of a tool's input that an approval request shows a person: at most a fixed number of
// characters, and when the input is longer it is cut with a marker that says so, never silently.

/** The longest `input_preview` an approval request holds. */
export const APPROVAL_PREVIEW_MAX_CHARS = 2000;
/** The longest `reason` an approval request takes. */
export const APPROVAL_REASON_MAX_CHARS = 2000;

/** `text` as is when it fits in `max` characters; else its start and a marker giving its length. */
export function previewText(text: string, max = APPROVAL_PREVIEW_MAX_CHARS): string {
  if (text.length <= max) return text;
  const marker = `\n… [shortened: ${text.length} characters in all]`;
  let cut = text.slice(0, Math.max(0, max - marker.length));
  // Never end on half of a surrogate pair.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + marker;
}

/** A tool's input as a person reads it: a shell command as is, anything else as indented JSON. */
export function previewToolInput(input: Record<string, unknown> | undefined): string {
  if (!input) return '';
  const keys = Object.keys(input);
  const command = input.command;
  if (typeof command === 'string' && keys.every((k) => k === 'command' || k === 'description'))
    return previewText(command);
  // Long inputs are cut before they are serialized whole only to be thrown away.
  return previewText(JSON.stringify(input, null, 2) ?? '');
}

/** How many characters of the tool input's JSON Claude Code sends a channel. */
const CLAUDE_CHANNEL_PREVIEW_CHARS = 200;

/**
 * The `input_preview` Claude Code 2.1.197 sends a channel with a permission prompt, computed from
 * the full tool input: its compact JSON, cut to 200 UTF-16 units and "…" when longer (as Claude
 * Code does it, even inside a surrogate pair). The PermissionRequest hook names it as its
 * `match_key`, so that its request and the channel relay's for the same prompt are one.
 */
/**
 * The key under which a PermissionRequest hook and Claude Code's channel relay share one request:
 * the whole input as Claude Code's preview shows it, or undefined when that preview is cut (two
 * prompts alike in their first 200 characters must never share one answer).
 */
export function wholeInputKey(preview: string): string | undefined {
  return preview.endsWith('\u2026') || preview === '' ? undefined : preview;
}

export function claudeChannelPreview(input: Record<string, unknown>): string {
  const json = JSON.stringify(input);
  return json.length > CLAUDE_CHANNEL_PREVIEW_CHARS
    ? json.slice(0, CLAUDE_CHANNEL_PREVIEW_CHARS) + '\u2026'
    : json;
}
