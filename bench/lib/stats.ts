export { median } from 'simple-statistics';

/** Reads `--name value` from argv, as a positive integer. */
export function intArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at === -1 ? undefined : process.argv[at + 1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new Error(`--${name}: expected an integer from 1 to 1000, got ${raw}`);
  return n;
}
