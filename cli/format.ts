// Plain-text tables and numbers for the terminal.

/** A number for people: 4 significant digits, integers as they are, tiny and huge in e-notation. */
export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(digits - 1);
  return v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A fixed-point number (losses, metrics): `digits` decimals. */
export function fixed(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** Seconds as "1.2 s", "3 min 05 s", "1 h 02 min". */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Thousands separators: 12,345. */
export function int(v: number): string {
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Columns padded to their widest cell; numbers right-aligned unless `align` says otherwise. */
export function table(headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? num(c) : c)));
  const al = align ?? headers.map((_, j) => (rows.length && rows.every((r) => typeof r[j] === 'number') ? 'r' : 'l'));
  const width = headers.map((h, j) => Math.max(h.length, ...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (al[j] === 'r' ? c.padStart(width[j]) : c.padEnd(width[j]))).join('  ').trimEnd();
  return [line(headers), width.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A name in a comma-separated list: quoted when it holds a comma itself. */
export function quoteIfComma(s: string): string {
  return s.includes(',') ? JSON.stringify(s) : s;
}

/**
 * A cell of a CSV the CLI writes. Text that a spreadsheet would run as a formula (starting with
 * = + - @, a tab or a carriage return; OWASP "CSV injection") gets a leading ' and quotes, so
 * `=cmd|' /C calc'!A0` shows as text; numbers, including negative ones, are written as they are.
 * Quoted when it holds a delimiter, a quote or a line break.
 */
export function csvCell(v: string | number | boolean): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n\t]|^'/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
