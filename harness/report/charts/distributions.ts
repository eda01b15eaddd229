import type { TopLevelSpec } from 'vega-lite';
import type { MetricComparison } from '../../compare/types.js';
import { CHART_CONFIG, PAIR_COLORS } from './theme.js';

const WIDTH = 560;
/** The rows: which run is which is said once, at the top of the page. */
const names = ['baseline', 'candidate'] as const;
const ROW_PX = 26;

/**
 * Baseline against candidate for one metric of one case: each run's samples as ticks over its
 * box plot (median, quartiles, min to max), on the metric's own axis.
 */
export function distributionSpec(m: MetricComparison): TopLevelSpec {
  const values = [
    ...m.baseline.map((value) => ({ run: names[0], value })),
    ...m.candidate.map((value) => ({ run: names[1], value })),
  ];
  const y = {
    field: 'run',
    type: 'nominal' as const,
    scale: { domain: [...names] },
    axis: { title: null, labelLimit: 200 },
  };
  const x = {
    field: 'value',
    type: 'quantitative' as const,
    scale: { zero: false },
    axis: { title: `${m.metric} (${m.unit === '' ? 'count' : m.unit}), ${m.better} is better` },
  };
  const color = {
    field: 'run',
    type: 'nominal' as const,
    scale: { domain: [...names], range: [...PAIR_COLORS] },
    legend: null,
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    title: { text: `${m.case} · ${m.metric}`, subtitle: [m.verdict] },
    width: WIDTH,
    height: ROW_PX * 2,
    data: { values },
    layer: [
      {
        name: 'boxes',
        mark: {
          type: 'boxplot',
          extent: 'min-max',
          size: 14,
          opacity: 0.35,
          median: { color: '#222' },
        },
        encoding: { x, y, color },
      },
      {
        name: 'samples',
        mark: { type: 'tick', thickness: 1.5, size: 18 },
        encoding: { x, y, color },
      },
    ],
  };
}
