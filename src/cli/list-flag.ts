// Comma-separated lists on the command line: "a,b , c" is ["a", "b", "c"].

export function listFlag(raw: string | boolean | undefined): string[] | undefined {
  if (typeof raw !== 'string') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
