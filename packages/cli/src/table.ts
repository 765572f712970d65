// Aligned plain-text tables for human output (`--json` prints data instead).

export interface TableOptions {
  /** Columns to right-align (numbers), by index. */
  right?: readonly number[];
  /** Spaces between columns (default 2). */
  gap?: number;
}

/** Renders a header row, a rule of dashes and the rows; every column as wide as its widest cell. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, opts: TableOptions = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2);
  const right = new Set(opts.right ?? []);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => {
        const c = cells[i] ?? '';
        return right.has(i) ? c.padStart(w) : c.padEnd(w);
      })
      .join(gap)
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
