/** Median of a non-empty sample. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Reads `--name value` from argv, as a positive integer. */
export function intArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at === -1 ? undefined : process.argv[at + 1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new Error(`--${name}: expected an integer from 1 to 1000, got ${raw}`);
  return n;
}
