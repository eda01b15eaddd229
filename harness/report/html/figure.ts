import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '../charts/render.js';
import { markup, trustedSvg, type SafeHtml } from './escape.js';

/**
 * A chart as a figure: its SVG inline, marked with what it shows (`data-chart`) so a reader (or
 * the browser test) can find it. A chart that cannot be drawn says why in its place (the message
 * alone: a stack names this machine's paths, and the report must read the same anywhere); the
 * rest of the report is worth having.
 */
export async function chartFigure(
  kind: string,
  spec: TopLevelSpec,
  caption: string,
): Promise<SafeHtml> {
  try {
    const { svg } = await renderChart(spec);
    return markup`<figure class="chart" data-chart="${kind}">
      ${trustedSvg(svg)}
      <figcaption>${caption}</figcaption>
    </figure>`;
  } catch (error) {
    return markup`<figure class="chart" data-chart="${kind}" data-error="">
      <pre class="error">This chart could not be drawn: ${error instanceof Error ? error.message : String(error)}</pre>
      <figcaption>${caption}</figcaption>
    </figure>`;
  }
}
