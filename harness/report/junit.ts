import type { RunFile } from '../results/run-file.js';
import type { CaseResult, ExpectationResult, MetricResult } from '../scenario/result.js';
import { runInfo, type Reporter, type ReporterIo, type RunInfo } from './reporter.js';
import { metricLine, withUnit } from './metric-line.js';

/**
 * What XML 1.0 cannot carry at all, not even as a character reference: C0 controls other than
 * tab, LF and CR, lone surrogates, U+FFFE and U+FFFF (an error text may hold an ANSI escape).
 */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: `<` and `&` must be escaped, `>` too so that no `]]>` can appear. */
export function escapeText(text: string): string {
  return text
    .replace(FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** A double-quoted attribute value; tab, LF and CR as references, or a parser turns them into spaces. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

function element(
  name: string,
  attributes: Readonly<Record<string, string | number>>,
  content?: string,
): string {
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
  return content === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** `mode 1 detects within 50 ms: failover.detection measured 63.1 ms, bound <= 50 ms`. */
function expectationLine(e: ExpectationResult, metrics: readonly MetricResult[]): string {
  const unit = metrics.find((m) => m.name === e.metric)?.unit ?? '';
  const measured =
    e.measured === undefined ? 'not measured' : `measured ${withUnit(e.measured, unit)}`;
  return `${e.says}: ${e.metric} ${measured}, bound ${e.op} ${withUnit(e.value, unit)}`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n|\r/).find((l) => l.trim() !== '') ?? '';
}

/** The one outcome element JUnit allows a test case: failure, error or skipped; none if it passed. */
function outcome(r: CaseResult): string {
  const failed = r.expectations.filter((e) => !e.pass);
  const lines = (es: readonly ExpectationResult[]): string[] =>
    es.map((e) => `${e.pass ? 'ok  ' : 'FAIL'} ${expectationLine(e, r.metrics)}`);
  switch (r.status) {
    case 'passed':
      return '';
    case 'failed': {
      const message = failed.map((e) => expectationLine(e, r.metrics)).join('; ');
      const body = lines(r.expectations).join('\n');
      return element('failure', { message, type: 'expectation' }, escapeText(body));
    }
    case 'error': {
      const error = r.error ?? 'error';
      // The expectations of a case that did not finish are checked on what it measured before.
      const body = [error, ...(r.expectations.length > 0 ? ['', ...lines(r.expectations)] : [])];
      return element(
        'error',
        { message: firstLine(error), type: 'error' },
        escapeText(body.join('\n')),
      );
    }
    case 'interrupted':
      return element('skipped', {
        message: r.error === undefined ? 'interrupted' : `interrupted: ${firstLine(r.error)}`,
      });
  }
}

function testcase(r: CaseResult): string {
  const out = r.metrics.map(metricLine);
  const children = [
    outcome(r),
    out.length > 0 ? element('system-out', {}, escapeText(out.join('\n'))) : '',
  ].filter((c) => c !== '');
  const attributes = { classname: r.scenario, name: r.case, time: seconds(r.durationMs) };
  return children.length === 0
    ? `    ${element('testcase', attributes)}`
    : `    ${element('testcase', attributes, `\n${children.map((c) => `      ${c}\n`).join('')}    `)}`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: string;
}

function counts(results: readonly CaseResult[]): Counts {
  const of = (s: CaseResult['status']): number => results.filter((r) => r.status === s).length;
  return {
    tests: results.length,
    failures: of('failed'),
    errors: of('error'),
    skipped: of('interrupted'),
    time: seconds(results.reduce((sum, r) => sum + r.durationMs, 0)),
  };
}

function testsuite(scenario: string, cases: readonly CaseResult[], info: RunInfo): string {
  const properties = [
    element('property', { name: 'kernel', value: info.kernel }),
    element('property', { name: 'kernelRelease', value: info.kernelRelease }),
    element('property', { name: 'repeat', value: info.repeat }),
  ];
  const attributes = {
    name: scenario,
    ...counts(cases),
    timestamp: cases[0]?.startedAt ?? info.startedAt,
  };
  const content = [
    '    <properties>',
    ...properties.map((p) => `      ${p}`),
    '    </properties>',
    ...cases.map(testcase),
  ];
  return `  ${element('testsuite', attributes, `\n${content.join('\n')}\n  `)}`;
}

/** The whole JUnit XML document of a run: a `<testsuite>` per scenario, in the order they ran. */
function junitDocument(results: readonly CaseResult[], info: RunInfo): string {
  const byScenario = new Map<string, CaseResult[]>();
  for (const r of results) {
    const cases = byScenario.get(r.scenario) ?? [];
    cases.push(r);
    byScenario.set(r.scenario, cases);
  }
  const suites = [...byScenario].map(([scenario, cases]) => testsuite(scenario, cases, info));
  const root = {
    name: 'bondlab',
    ...counts(results),
    time: seconds(info.durationMs),
    timestamp: info.startedAt,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    element('testsuites', root, suites.length === 0 ? undefined : `\n${suites.join('\n')}\n`),
  ].join('\n');
}

/**
 * For CI test panes: JUnit XML with one `<testsuite>` per scenario and one `<testcase>` per case
 * (classname the scenario, name the case, time in seconds). A case that failed has a `<failure>`
 * listing its failed expectations with measured against bound; one that errored, an `<error>`;
 * one that was interrupted, `<skipped>`. Each metric's summary is in the case's `<system-out>`.
 * Nothing while the run goes; the whole document at the end.
 */
export function junitReporter(io: ReporterIo): Reporter {
  return {
    progress: () => undefined,
    finish(results: readonly CaseResult[], info: RunInfo) {
      io.out(junitDocument(results, info));
    },
  };
}

/** A saved run's JUnit XML: the document `run --reporter junit` prints, from its run.json. */
export function runJunit(run: RunFile): string {
  return `${junitDocument(run.cases, runInfo(run))}\n`;
}
