import { createHash } from 'node:crypto';
import { logger, parse, View, Warn, type Loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart reads only the data inlined in its spec: anything else is a bug, not a fetch. */
const NO_LOADER = {
  load: (uri: string) => Promise.reject(new Error(`a report chart tried to load ${uri}`)),
  sanitize: (uri: string) => Promise.reject(new Error(`a report chart tried to load ${uri}`)),
  http: (uri: string) => Promise.reject(new Error(`a report chart tried to fetch ${uri}`)),
  file: (path: string) => Promise.reject(new Error(`a report chart tried to read ${path}`)),
} as unknown as Loader;

/** What rendering said besides the picture: Vega-Lite's warnings about the spec. */
export interface RenderedChart {
  svg: string;
  warnings: string[];
}

/**
 * Renders a Vega-Lite spec to an SVG string in node: Vega-Lite compiles it to Vega, a headless
 * Vega view (no renderer, no DOM, no canvas) lays it out and serialises its scene as SVG. Text is
 * measured by Vega's estimate, so the same spec gives the same bytes on every machine.
 */
export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  const warnings: string[] = [];
  // Vega-Lite warns about a spec it had to change; a chart module's test makes sure none does.
  const log = logger(Warn, 'warn', (_method, _level, args) => {
    warnings.push(args.map(String).join(' '));
  });
  const vega = compile(spec, { logger: log }).spec;
  const view = new View(parse(vega), { renderer: 'none', loader: NO_LOADER, logLevel: 0 });
  try {
    return { svg: lean(localIds(await view.toSVG())), warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers its clip paths with one counter per process (`clip1`, `clip8`...): the same chart
 * would get other ids on a second render, and two charts inlined in one page could share one
 * (each SVG's `url(#clip1)` would then clip by the first one's path). Ids become the hash of the
 * chart and their order in it: the same bytes every time, distinct between charts.
 */
function localIds(svg: string): string {
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] ?? '');
  if (ids.length === 0) return svg;
  const neutral = ids.reduce((text, id, i) => swap(text, id, `@${i}@`), svg);
  const hash = createHash('sha256').update(neutral).digest('hex').slice(0, 10);
  return ids.reduce((text, _id, i) => swap(text, `@${i}@`, `c${hash}-${i + 1}`), neutral);
}

/** Renames an id where it is defined and where it is referred to. */
function swap(svg: string, from: string, to: string): string {
  return svg
    .replaceAll(`id="${from}"`, `id="${to}"`)
    .replaceAll(`url(#${from})`, `url(#${to})`)
    .replaceAll(`href="#${from}"`, `href="#${to}"`);
}

/**
 * Drops what a static picture never uses: ARIA roles and pointer-events on every group, and the
 * empty background and foreground paths Vega keeps for interaction; and writes coordinates to a
 * hundredth of a pixel (Vega prints 17 digits). A probe's point goes from ~165 to ~110 bytes.
 * Only tags are touched (text content cannot hold a `<`, so a tag is exactly what `<...>` matches).
 */
function lean(svg: string): string {
  return svg
    .replace(/<[^>]*>/g, (tag) =>
      tag
        .replace(/ (?:aria-hidden|role|aria-roledescription|pointer-events)="[^"]*"/g, '')
        .replace(
          / (d|transform|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g,
          (_all, name: string, value: string) =>
            ` ${name}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100))}"`,
        ),
    )
    .replace(
      /<path class="background" d="M0,0h0v0h0Z"\/>|<path class="foreground" d="" display="none"\/>/g,
      '',
    );
}
