// Markdown tables and the number formats they use. A figure that does not
// apply (a ratio to a path with no intermediary, a run that was skipped) is "—".

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const DASH = '—';

/** A number with a fixed count of decimals, or "—". */
export function num(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Milliseconds: three significant decimals below 10 ms, fewer above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  return num(value, Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0);
}

/** A signed difference in milliseconds ("+0.31"). */
export function signedMs(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  return `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
}

export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : DASH;
}

export function passFail(pass: boolean | undefined): string {
  return pass === undefined ? 'n/a' : pass ? 'PASS' : 'FAIL';
}
