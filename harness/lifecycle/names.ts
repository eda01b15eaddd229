import { randomBytes } from 'node:crypto';

/** Every namespace bondlab creates is named `bl<run id>-<name>`. */
export const NETNS_PREFIX = 'bl';
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const RUN_ID_LENGTH = 5;
const NETNS_PATTERN = new RegExp(`^${NETNS_PREFIX}([a-z0-9]{${RUN_ID_LENGTH}})-(.+)$`);

/** A fresh random run id: 5 characters of [a-z0-9], 60 million values. */
export function newRunId(): string {
  const bytes = randomBytes(RUN_ID_LENGTH);
  return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function isRunId(value: string): boolean {
  return value.length === RUN_ID_LENGTH && /^[a-z0-9]+$/.test(value);
}

/** The namespace name of host or switch `name` in run `runId`. */
export function netnsName(runId: string, name: string): string {
  return `${NETNS_PREFIX}${runId}-${name}`;
}

/** The run id and object name of a namespace that is named like ours, else undefined. */
export function parseNetnsName(netns: string): { runId: string; name: string } | undefined {
  const m = NETNS_PATTERN.exec(netns);
  return m === null ? undefined : { runId: m[1] as string, name: m[2] as string };
}
