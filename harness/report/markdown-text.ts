/**
 * Text from a run (case names, `says`, errors) made inert in GitHub Markdown: it must show as
 * written, never become a link, a table cell, an HTML element or a heading.
 */

/**
 * One line of prose: Markdown's emphasis, code and table punctuation escaped, a `]` that could
 * close a link, and `<` and `&` as entities where they could start a tag, an autolink or an
 * entity. The rest stays as it is, readable in a terminal: `<=`, `[851–1012]`.
 */
export function mdText(text: string): string {
  return oneLine(text)
    .replace(/&(?=[A-Za-z0-9#])/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/[\\`*_|~]|\](?=[([])/g, (c) => `\\${c}`);
}

/**
 * A code span: its fence longer than any run of backticks inside. In a table cell a `|` must be
 * escaped even there (GFM splits cells first), and elsewhere must not be (it would show).
 */
export function mdCode(text: string, inTable = false): string {
  const line = inTable ? oneLine(text).replace(/\|/g, '\\|') : oneLine(text);
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A fenced block for multi-line text (an error with its hints), indented for a list item. */
export function mdBlock(text: string, indent = ''): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [fence, ...text.replace(/\r\n?/g, '\n').split('\n'), fence].map((l) =>
    l === '' ? '' : `${indent}${l}`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * A table with its columns padded to one width, as Prettier formats Markdown, so the file reads
 * as a table in a terminal too and `prettier --check` leaves a stored expectation alone. `align`:
 * one letter per column, l or r. Width is counted in code points: names and units are ASCII and a
 * few one-column symbols (– ×).
 */
export function mdTable(
  head: readonly string[],
  align: string,
  rows: readonly string[][],
): string[] {
  const width = (s: string): number => Array.from(s).length;
  const widths = head.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number): string => {
    const fill = ' '.repeat((widths[i] ?? 0) - width(s));
    return align[i] === 'r' ? fill + s : s + fill;
  };
  const rule = widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head.map(pad)), line(rule), ...rows.map((r) => line(r.map(pad)))];
}
