import type { TopologySpec } from '../topology/spec.js';

/**
 * The topology with every link of `host` shaped to `rateMbit` on that host's side (tbf). veth is
 * CPU-bound, so a bond's aggregation only shows when each slave is slower than the CPU.
 */
export function shapeLinksOf(spec: TopologySpec, host: string, rateMbit: number): TopologySpec {
  return {
    ...spec,
    links: spec.links.map((l) => {
      if (l.a.startsWith(`${host}:`))
        return { ...l, shape: { ...l.shape, a: { kind: 'tbf', rateMbit } } };
      if (l.b.startsWith(`${host}:`))
        return { ...l, shape: { ...l.shape, b: { kind: 'tbf', rateMbit } } };
      return l;
    }),
  };
}
