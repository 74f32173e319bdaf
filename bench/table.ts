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
  /** The value over the same measure of the bare `ws` relay in the same run, e.g. "3.1×". */
  ratio?: string | undefined;
}

/** What one benchmark hands back: its rows, and sentences worth printing under the table. */
export interface BenchResult {
  rows: Row[];
  notes: string[];
}

/**
 * A Markdown table, columns padded so it also reads well in a terminal; with a column "÷ relay"
 * when some row has a ratio to the relay floor.
 */
export function renderTable(rows: readonly Row[]): string {
  const ratios = rows.some((r) => r.ratio !== undefined);
  const cells = [
    ['path', 'metric', 'value', ...(ratios ? ['÷ relay'] : []), 'target', 'met'],
    ...rows.map((r) => [
      r.path,
      r.metric,
      r.value,
      ...(ratios ? [r.ratio ?? ''] : []),
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
