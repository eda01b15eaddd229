import type { Config } from 'vega-lite';

/** Chart width in px: fits a laptop's browser beside nothing else, and a printed page. */
export const CHART_WIDTH = 720;

/**
 * Shared look of every chart. `aria: false`: Vega would otherwise label each mark with its data
 * (an SVG attribute per probe), which doubles a timeline's size and helps no screen reader.
 */
export const CHART_CONFIG: Config = {
  aria: false,
  font: 'sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  title: { anchor: 'start', fontSize: 13, subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 10, titleFontSize: 11, orient: 'bottom', direction: 'horizontal' },
};

/** Two runs or two directions: the same pair of colours everywhere. */
export const PAIR_COLORS = ['#1f77b4', '#ff7f0e'] as const;
