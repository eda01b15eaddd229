import { InputError } from '../errors.js';
import { IFNAME_PATTERN, IFNAME_RULE, NODE_NAME_PATTERN, NODE_NAME_RULE } from './validate.js';

/** One end of a link: an interface on a host or a switch. */
export interface Endpoint {
  node: string;
  ifname: string;
}

/** Parses "node:interface", checking both names. */
export function parseEndpoint(field: string, value: unknown): Endpoint {
  const rule = 'expected "node:interface", e.g. "client:eth0"';
  if (typeof value !== 'string') throw new InputError(field, value, rule);
  const at = value.indexOf(':');
  if (at === -1) throw new InputError(field, value, rule);
  const node = value.slice(0, at);
  const ifname = value.slice(at + 1);
  if (!NODE_NAME_PATTERN.test(node))
    throw new InputError(field, value, `${rule}; ${NODE_NAME_RULE}`);
  if (!IFNAME_PATTERN.test(ifname)) throw new InputError(field, value, `${rule}; ${IFNAME_RULE}`);
  return { node, ifname };
}

/** The "node:ifname" key that names one interface across the whole topology. */
export const endpointKey = (node: string, ifname: string): string => `${node}:${ifname}`;
