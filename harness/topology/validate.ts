import { InputError } from '../errors.js';

/**
 * Small checkers used where input enters (scenario files, CLI options, JSON). Each raises an
 * InputError naming the field path, the value and what is allowed.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectRecord(field: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new InputError(field, value, 'expected an object');
  return value;
}

/**
 * An optional field's value, or `fallback` when it is absent. Only `undefined` is absent: JSON's
 * null is a value of the wrong type, left for the field's own check to refuse.
 */
export function optional(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

export function expectArray(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new InputError(field, value, 'expected an array');
  return value;
}

/** Rejects keys that are not in `known`, listing those that are. */
export function expectKnownKeys(
  field: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InputError(
        `${field}.${key}`,
        value[key],
        `unknown field; known fields: ${known.join(', ')}`,
      );
    }
  }
}

export function expectInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
  unit = '',
): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    const suffix = unit === '' ? '' : ` (${unit})`;
    throw new InputError(field, value, `expected an integer from ${min} to ${max}${suffix}`);
  }
  return n;
}

export function expectBoolean(field: string, value: unknown): boolean {
  if (value === true || value === 1 || value === '1' || value === 'true' || value === 'on')
    return true;
  if (value === false || value === 0 || value === '0' || value === 'false' || value === 'off')
    return false;
  throw new InputError(field, value, 'expected true or false (or 1 or 0)');
}

/**
 * A name matching `pattern`, described to the user by `rule`. Names end up as argv words and file
 * names, so the allowed set is deliberately small: no slashes, spaces, quotes or unicode.
 */
export function expectName(field: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new InputError(field, value, rule);
  return value;
}

/** Linux allows 15 bytes for an interface name; we also restrict the characters. */
export const IFNAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;
export const IFNAME_RULE =
  'an interface name is 1 to 15 characters: a letter, then letters, digits, "_", "." or "-"';

/** Host and switch names become part of a namespace name. */
export const NODE_NAME_PATTERN = /^[a-z][a-z0-9]{0,11}$/;
export const NODE_NAME_RULE =
  'a host or switch name is 1 to 12 characters: a lowercase letter, then lowercase letters or digits';
