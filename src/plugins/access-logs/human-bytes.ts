// Byte counts the way Go's humanize.Bytes prints them (what Qtap's console shows): SI units, one decimal below
// 10 ("1.3 kB", "12 MB", "96 B").

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

export function humanBytes(n: number): string {
  if (!Number.isFinite(n) || n < 10) return `${Math.max(0, Math.trunc(n) || 0)} B`;
  const exp = Math.min(UNITS.length - 1, Math.floor(Math.log(n) / Math.log(1000)));
  const value = Math.floor((n / 1000 ** exp) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${UNITS[exp]}`;
}
