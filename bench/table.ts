// The shape of one result row, and the Markdown table every benchmark's rows are printed as.

export interface Target {
  /** As ARCHITECTURE.md section 8 words it, e.g. "p95 ≤ 150 ms". */
  text: string;
  /** Whether the measured value meets it; undefined when the row cannot be judged. */
  met?: boolean | undefined;
}

export interface Row {
  /** What was exercised, e.g. "POST note, sync=full, 10 writers". */
  path: string;
  metric: string;
  value: string;
  target?: Target | undefined;
}

/** What one benchmark hands back: its rows, and sentences worth printing under the table. */
export interface BenchResult {
  rows: Row[];
  notes: string[];
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function renderTable(rows: readonly Row[]): string {
  const cells = [
    ['path', 'metric', 'value', 'target', 'met'],
    ...rows.map((r) => [
      r.path,
      r.metric,
      r.value,
      r.target?.text ?? '',
      r.target?.met === undefined ? '' : r.target.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}
