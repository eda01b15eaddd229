import t, { type Test } from 'tap';
import { escapeAttribute, escapeText, junitReporter } from '../../harness/report/junit.js';
import type { RunInfo } from '../../harness/report/reporter.js';
import type { CaseResult, MetricResult } from '../../harness/scenario/result.js';

// A strict XML 1.0 well-formedness checker: no XML parser is installed, and a regex would accept
// what a CI's parser rejects. It builds the tree so the tests can read the document back.

interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: (XmlElement | string)[];
}

const NAME =
  /^[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][-.0-9:A-Z_a-z\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C-\u200D\u203F-\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]*/;
const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function parseXml(source: string): XmlElement {
  for (const ch of source) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isXmlChar(cp)) throw new Error(`character U+${cp.toString(16)} is not allowed in XML 1.0`);
  }
  const doc = source.replace(/\r\n?/g, '\n');
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${i}: ${JSON.stringify(doc.slice(i, i + 40))}`);
  };
  const at = (s: string): boolean => doc.startsWith(s, i);
  const expect = (s: string): void => {
    if (!at(s)) fail(`expected ${JSON.stringify(s)}`);
    i += s.length;
  };
  const spaces = (): boolean => {
    const m = /^[ \t\n]+/.exec(doc.slice(i));
    i += m?.[0].length ?? 0;
    return m !== null;
  };
  const name = (): string => {
    const m = NAME.exec(doc.slice(i));
    if (m === null) return fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const until = (end: string, what: string): string => {
    const j = doc.indexOf(end, i);
    if (j < 0) fail(`unterminated ${what}`);
    const body = doc.slice(i, j);
    i = j + end.length;
    return body;
  };
  const reference = (): string => {
    expect('&');
    const m = /^(?:#([0-9]+)|#x([0-9a-fA-F]+)|([A-Za-z]+));/.exec(doc.slice(i));
    if (m === null) return fail('malformed reference');
    i += m[0].length;
    if (m[3] !== undefined) return ENTITIES[m[3]] ?? fail(`undeclared entity &${m[3]};`);
    const cp = m[1] !== undefined ? Number(m[1]) : parseInt(m[2] ?? '', 16);
    if (!isXmlChar(cp)) fail(`character reference to U+${cp.toString(16)}`);
    return String.fromCodePoint(cp);
  };
  const misc = (): void => {
    for (;;) {
      if (spaces()) continue;
      if (at('<!--')) comment();
      else if (at('<?')) pi();
      else return;
    }
  };
  const comment = (): void => {
    expect('<!--');
    if (until('-->', 'comment').includes('--')) fail('"--" inside a comment');
  };
  const pi = (): void => {
    expect('<?');
    if (name().toLowerCase() === 'xml') fail('an XML declaration that is not at the start');
    until('?>', 'processing instruction');
  };
  const attributeValue = (): string => {
    const quote = doc[i];
    if (quote !== '"' && quote !== "'") return fail('expected a quoted attribute value');
    i++;
    let value = '';
    while (doc[i] !== quote) {
      const c = doc[i];
      if (c === undefined) fail('unterminated attribute value');
      else if (c === '<') fail('"<" in an attribute value');
      else if (c === '&') value += reference();
      else {
        // Attribute-value normalization: a literal tab or newline reads as a space.
        value += c === '\t' || c === '\n' ? ' ' : c;
        i++;
      }
    }
    i++;
    return value;
  };
  const element = (): XmlElement => {
    expect('<');
    const el: XmlElement = { name: name(), attributes: new Map(), children: [] };
    for (;;) {
      const spaced = spaces();
      if (at('/>')) {
        i += 2;
        return el;
      }
      if (at('>')) {
        i++;
        break;
      }
      if (!spaced) fail('expected whitespace before an attribute');
      const key = name();
      if (el.attributes.has(key)) fail(`duplicate attribute ${key}`);
      spaces();
      expect('=');
      spaces();
      el.attributes.set(key, attributeValue());
    }
    let text = '';
    const flush = (): void => {
      if (text !== '') el.children.push(text);
      text = '';
    };
    for (;;) {
      if (i >= doc.length) fail(`unclosed <${el.name}>`);
      if (at('</')) {
        i += 2;
        if (name() !== el.name) fail(`end tag does not match <${el.name}>`);
        spaces();
        expect('>');
        flush();
        return el;
      }
      if (at('<!--')) comment();
      else if (at('<![CDATA[')) {
        i += '<![CDATA['.length;
        text += until(']]>', 'CDATA section');
      } else if (at('<?')) pi();
      else if (at('<')) {
        flush();
        el.children.push(element());
      } else if (at('&')) text += reference();
      else if (at(']]>')) fail('"]]>" in text');
      else text += doc.charAt(i++);
    }
  };
  const declaration =
    /^<\?xml version="1\.0"(?: encoding="[A-Za-z][-A-Za-z0-9._]*")?(?: standalone="(?:yes|no)")?[ \t\n]*\?>/;
  const decl = declaration.exec(doc);
  if (decl === null && at('<?xml')) fail('malformed XML declaration');
  i = decl?.[0].length ?? 0;
  misc();
  const root = element();
  misc();
  if (i !== doc.length) fail('content after the root element');
  return root;
}

function elements(el: XmlElement | undefined, name: string): XmlElement[] {
  return (el?.children ?? []).filter(
    (c): c is XmlElement => typeof c !== 'string' && c.name === name,
  );
}

function text(el: XmlElement | undefined): string {
  return (el?.children ?? []).map((c) => (typeof c === 'string' ? c : text(c))).join('');
}

function attributes(el: XmlElement | undefined): Record<string, string> {
  return Object.fromEntries(el?.attributes ?? []);
}

const info: RunInfo = {
  kernel: 'uml 6.1.176',
  kernelRelease: '6.1.176',
  startedAt: '2025-03-01T10:00:00.000Z',
  durationMs: 250_000,
  repeat: 3,
};

const detection: MetricResult = {
  name: 'failover.detection',
  unit: 'ms',
  better: 'lower',
  samples: [41.2, 39.9, 49],
  summary: { n: 3, median: 41.2, p95: 48.2, min: 39.9, max: 49, stddev: 4.8, ci95: [39.9, 49] },
};
const lost: MetricResult = {
  name: 'failover.lost',
  unit: 'probes',
  better: 'lower',
  samples: [],
  summary: undefined,
};

const SCENARIO = 'modes <&"\'>';

function result(
  status: CaseResult['status'],
  name: string,
  more: Partial<CaseResult> = {},
): CaseResult {
  return {
    scenario: SCENARIO,
    case: name,
    params: { mode: 1 },
    status,
    error: undefined,
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 61_234,
    bonds: [],
    metrics: [detection],
    expectations: [],
    repetitions: [],
    ...more,
  };
}

// An ANSI colour, a NUL, U+FFFE and a lone surrogate: none of them can be in an XML 1.0 document.
const errorText =
  'ip link add bond0 failed in netns bl-1\n\x1b[31mRTNETLINK answers: File exists\x1b[0m\x00\uFFFE\uD800\r\n\tdone';
const results: CaseResult[] = [
  result('passed', 'modes[mode=1]', {
    expectations: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: 50,
        says: 'detects within 50 ms',
        measured: 49,
        pass: true,
      },
    ],
  }),
  result('passed', 'delays[updelay=0]', { scenario: 'delays', metrics: [] }),
  result('failed', 'modes[mode=2] <&"\' ]]> é ✓ 😀', {
    expectations: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: 40,
        says: 'detects within 40 ms <&"\'>',
        measured: 49,
        pass: false,
      },
      {
        metric: 'failover.detection',
        op: '>=',
        value: 1,
        says: 'takes a while',
        measured: 39.9,
        pass: true,
      },
    ],
  }),
  result('error', 'modes[mode=3]', {
    error: errorText,
    metrics: [lost],
    expectations: [
      {
        metric: 'failover.lost',
        op: '==',
        value: 0,
        says: 'loses nothing',
        measured: undefined,
        pass: false,
      },
    ],
  }),
  result('interrupted', 'modes[mode=4]', { error: 'interrupted by SIGINT' }),
];

/** The reporter's output, and a check that progress and finish wrote nothing else. */
function run(t: Test, cases: readonly CaseResult[]): string {
  const out: string[] = [];
  const err: string[] = [];
  const reporter = junitReporter({
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  });
  reporter.progress({ type: 'case-start', index: 0, total: cases.length, name: 'x' });
  t.same([out, err], [[], []], 'progress writes nothing');
  reporter.finish(cases, info);
  t.equal(out.length, 1, 'finish writes the whole document once');
  t.same(err, [], 'and nothing on stderr');
  return out.join('\n');
}

void t.test('the checker is strict: it rejects what XML 1.0 does', async (t) => {
  t.same(
    attributes(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a b="&lt;&#10;&#x1F600;"/>')),
    { b: '<\n😀' },
  );
  t.equal(
    text(parseXml('<a>x<![CDATA[<&]]><!-- c --><b>y</b>&amp;</a>')),
    'x<&y&',
    'text, CDATA and references read back',
  );
  const bad = [
    '<a>&</a>',
    '<a>&nbsp;</a>',
    '<a>&#1;</a>',
    '<a b="<"/>',
    '<a b=1/>',
    '<a b="1"c="2"/>',
    '<a b="1" b="2"/>',
    '<a></b>',
    '<a>',
    '<a/><b/>',
    '<a>]]></a>',
    '<a>\u0001</a>',
    '<a>\uD800</a>',
    '<a>\uFFFF</a>',
    '<a><!-- x -- y --></a>',
    ' <?xml version="1.0"?><a/>',
  ];
  for (const doc of bad) t.throws(() => parseXml(doc), JSON.stringify(doc));
});

void t.test('escaping: text, attributes, and what XML cannot carry', async (t) => {
  t.equal(escapeText('a < b && c > d ]]>'), 'a &lt; b &amp;&amp; c &gt; d ]]&gt;');
  t.equal(escapeAttribute('say "hi" <&>\n\tok'), 'say &quot;hi&quot; &lt;&amp;&gt;&#10;&#9;ok');
  t.equal(
    escapeText('\x1b[1m\x00\x08\uFFFE\uFFFF\uD800x\uDC00'),
    '[1mx',
    'controls, non-characters and lone surrogates stripped',
  );
  t.equal(escapeText('é ✓ 😀 \u0085 \u00A0'), 'é ✓ 😀 \u0085 \u00A0', 'everything else kept');
  t.equal(escapeText('a\r\nb'), 'a&#13;\nb', 'a CR survives line-end normalization');
});

void t.test('the document: well-formed, a testsuite per scenario, the right counts', async (t) => {
  const doc = run(t, results);
  t.match(doc, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  const root = parseXml(doc);
  t.equal(root.name, 'testsuites');
  t.match(attributes(root), {
    name: 'bondlab',
    tests: '5',
    failures: '1',
    errors: '1',
    skipped: '1',
    time: '250.000',
    timestamp: info.startedAt,
  });

  const suites = elements(root, 'testsuite');
  t.same(
    suites.map((s) => attributes(s)),
    [
      {
        name: SCENARIO,
        tests: '4',
        failures: '1',
        errors: '1',
        skipped: '1',
        time: '244.936',
        timestamp: '2025-03-01T10:00:00.000Z',
      },
      {
        name: 'delays',
        tests: '1',
        failures: '0',
        errors: '0',
        skipped: '0',
        time: '61.234',
        timestamp: '2025-03-01T10:00:00.000Z',
      },
    ],
    'in the order the scenarios first ran, each counting its own cases',
  );
  t.same(
    elements(elements(suites[0], 'properties')[0], 'property').map((p) => attributes(p)),
    [
      { name: 'kernel', value: 'uml 6.1.176' },
      { name: 'kernelRelease', value: '6.1.176' },
      { name: 'repeat', value: '3' },
    ],
  );

  const cases = elements(suites[0], 'testcase');
  t.same(
    cases.map((c) => attributes(c)),
    [
      { classname: SCENARIO, name: 'modes[mode=1]', time: '61.234' },
      { classname: SCENARIO, name: 'modes[mode=2] <&"\' ]]> é ✓ 😀', time: '61.234' },
      { classname: SCENARIO, name: 'modes[mode=3]', time: '61.234' },
      { classname: SCENARIO, name: 'modes[mode=4]', time: '61.234' },
    ],
    'names and classnames read back exactly as given',
  );
  t.same(
    cases.map((c) => c.children.filter((x) => typeof x !== 'string').map((x) => x.name)),
    [['system-out'], ['failure', 'system-out'], ['error', 'system-out'], ['skipped', 'system-out']],
    'one outcome element per case that did not pass',
  );
  t.same(
    elements(suites[1], 'testcase').map((c) => c.children),
    [[]],
    'a passed case without metrics is an empty <testcase/>',
  );
});

void t.test('what each case says: failure, error, skipped, and the metrics', async (t) => {
  const cases = elements(elements(parseXml(run(t, results)), 'testsuite')[0], 'testcase');
  const [passed, failed, errored, interrupted] = cases;

  t.equal(
    text(elements(passed, 'system-out')[0]),
    'failover.detection median 41.2 ms (95% CI 39.9..49 ms), p95 48.2 ms, min 39.9 ms, max 49 ms, stddev 4.8 ms, n=3, lower is better',
  );

  const failure = elements(failed, 'failure')[0];
  t.same(attributes(failure), {
    message: `detects within 40 ms <&"'>: failover.detection measured 49 ms, bound <= 40 ms`,
    type: 'expectation',
  });
  t.equal(
    text(failure),
    [
      `FAIL detects within 40 ms <&"'>: failover.detection measured 49 ms, bound <= 40 ms`,
      'ok   takes a while: failover.detection measured 39.9 ms, bound >= 1 ms',
    ].join('\n'),
    'every expectation, failed or not',
  );

  const error = elements(errored, 'error')[0];
  t.same(attributes(error), {
    message: 'ip link add bond0 failed in netns bl-1',
    type: 'error',
  });
  t.equal(
    text(error),
    'ip link add bond0 failed in netns bl-1\n[31mRTNETLINK answers: File exists[0m\r\n\tdone\n\n' +
      'FAIL loses nothing: failover.lost not measured, bound == 0 probes',
    'the whole error, less what XML cannot carry, CR and tab kept; then the expectations',
  );
  t.equal(text(elements(errored, 'system-out')[0]), 'failover.lost: no samples');

  t.same(attributes(elements(interrupted, 'skipped')[0]), {
    message: 'interrupted: interrupted by SIGINT',
  });
});

void t.test(
  "a message keeps its lines in the attribute; an error's is its first line",
  async (t) => {
    const doc = run(t, [
      result('failed', 'x', {
        expectations: [
          { metric: 'm', op: '<=', value: 1, says: 'one\ntwo\tthree', measured: 2, pass: false },
        ],
      }),
    ]);
    const failure = elements(
      elements(elements(parseXml(doc), 'testsuite')[0], 'testcase')[0],
      'failure',
    )[0];
    t.equal(attributes(failure).message, 'one\ntwo\tthree: m measured 2, bound <= 1');
    const errored = parseXml(run(t, [result('error', 'y', { error: '\r\nboom\r\nline 2' })]));
    t.equal(
      attributes(elements(elements(elements(errored, 'testsuite')[0], 'testcase')[0], 'error')[0])
        .message,
      'boom',
      "an error's message is its first line that says something, without its CR",
    );
  },
);

void t.test('no cases: an empty, well-formed <testsuites/>', async (t) => {
  const root = parseXml(run(t, []));
  t.same(
    { name: root.name, attributes: attributes(root), children: root.children },
    {
      name: 'testsuites',
      attributes: {
        name: 'bondlab',
        tests: '0',
        failures: '0',
        errors: '0',
        skipped: '0',
        time: '250.000',
        timestamp: info.startedAt,
      },
      children: [],
    },
  );
});
