/**
 * HTML built by a tagged template that escapes every interpolated string: text from a run (case
 * names, errors, a scenario's `says`) can only ever be text. Markup passes only as `SafeHtml`,
 * made by this template or by `trustedSvg`.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = string | number | SafeHtml | readonly SafeHtml[] | undefined;

/** Text content or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function part(p: Part): string {
  if (p === undefined) return '';
  if (p instanceof SafeHtml) return p.value;
  if (typeof p === 'number') return String(p);
  if (typeof p === 'string') return escapeHtml(p);
  return p.map((x) => x.value).join('');
}

/** `markup\`<td>${name}</td>\``: strings escaped, numbers printed, SafeHtml kept, arrays joined. */
export function markup(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  parts.forEach((p, i) => {
    out += part(p) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * An SVG from Vega's renderer, which escapes the text it draws. Checked anyway: inline SVG runs
 * scripts, event handlers and `javascript:` links, so one that has any is refused rather than
 * inlined. Text and attribute values may say anything (a fault's description, say): only the tags
 * and attribute names are looked at.
 */
export function trustedSvg(svg: string): SafeHtml {
  const tags = [...svg.matchAll(/<[^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
  const bad =
    !svg.startsWith('<svg') ||
    tags.some((tag) => /^<\/?(script|foreignObject|iframe)\b|\son[a-z]+\s*=/i.test(tag)) ||
    /\shref\s*=\s*"\s*javascript:/i.test(svg);
  if (bad) {
    throw new Error(
      `report: refusing to inline an SVG that is not plain markup: ${svg.slice(0, 120)}`,
    );
  }
  return new SafeHtml(svg);
}
