import { markup, SafeHtml } from './escape.js';

/**
 * Nothing but inline styles and inline SVG may load: no script, no font, no image from anywhere.
 * The page needs none, and a browser that honours this cannot be made to fetch anything by it.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Ours, not a run's: it goes in as it is. */
const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
h3 { margin: 1.2em 0 .4em; font-size: 1.05em; }
table { border-collapse: collapse; margin: .4em 0; } th, td { padding: .25em .6em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre { font-family: ui-monospace, monospace; font-size: .92em; } pre { background: #f6f6f6; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
.passed, .ok, .improvement { color: #1a7f37; } .failed, .error, .regression, .mismatch { color: #cf222e; font-weight: 600; }
.interrupted, .inconclusive, .missing, .warning { color: #9a6700; } .muted { color: #666; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; } dt { color: #666; } dd { margin: 0; }
td.why { min-width: 20em; } .scroll { overflow-x: auto; }
figure.chart { margin: 1em 0; } figure.chart svg { max-width: 100%; height: auto; } figcaption { color: #666; font-size: .9em; }
`;

/** A whole page: self-contained (inline style, inline SVG), readable offline and printable. */
export function page(title: string, body: SafeHtml): string {
  const head = markup`<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${new SafeHtml(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bondlab">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>`;
  return `<!doctype html>\n<html lang="en">\n<head>\n${head.value}\n</head>\n<body>\n${body.value}\n</body>\n</html>\n`;
}
