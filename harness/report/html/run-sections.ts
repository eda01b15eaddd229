import type { RunFile } from '../../results/run-file.js';
import type { CaseResult } from '../../scenario/result.js';
import {
  duration,
  environmentPairs,
  keyMetrics,
  kernelName,
  medianRange,
  plural,
  runningNote,
  selectionText,
  statusCounts,
  tally,
} from '../format.js';
import { markup, type SafeHtml } from './escape.js';

/** The id of a case's section: by position, so no name needs to be a valid id. */
export function caseAnchor(index: number): string {
  return `case-${index + 1}`;
}

export function runHeader(run: RunFile): SafeHtml {
  const n = statusCounts(run.cases);
  const ok = run.status === 'complete' && n.failed + n.error + n.interrupted === 0;
  const notRun = run.planned.slice(run.cases.length);
  const facts = [
    run.status,
    `${plural(run.cases.length, 'case')}${notRun.length > 0 ? ` of ${run.planned.length} planned` : ''}`,
    kernelName(run),
    duration(run.durationMs),
    selectionText(run),
    `started ${run.startedAt}`,
  ].join(' · ');
  return markup`<header>
    <h1 class="${ok ? 'passed' : n.failed + n.error > 0 ? 'failed' : 'interrupted'}">
      bondlab: ${tally(run.cases)}
    </h1>
    <p>${facts}</p>
    ${run.stopReason === undefined ? undefined : markup`<p class="warning">Stopped: ${run.stopReason}</p>`}
    ${runningNote(run) === undefined ? undefined : markup`<p class="warning">${runningNote(run)}</p>`}
    ${notRun.length === 0 ? undefined : markup`<p class="warning">Did not run: ${notRun.join(', ')}</p>`}
  </header>`;
}

export function environmentSection(run: RunFile): SafeHtml {
  const rows = environmentPairs(run).map(
    ([k, v]) =>
      markup`<dt>${k}</dt>
        <dd>${v}</dd>`,
  );
  const merged =
    run.mergedFrom === undefined
      ? undefined
      : markup`<dt>merged from</dt>
          <dd>
            ${run.mergedFrom
              .map(
                (m) =>
                  `${m.label}${m.shard === undefined ? '' : ` (shard ${m.shard.index}/${m.shard.count})`}`,
              )
              .join(', ')}
          </dd>`;
  return markup`<section id="environment">
    <h2>Environment</h2>
    <dl>${rows}${merged}</dl>
  </section>`;
}

function caseRow(c: CaseResult, index: number): SafeHtml {
  const metrics = keyMetrics(c).map((m) => markup`${m.name} ${medianRange(m)}<br />`);
  return markup`<tr>
    <td class="${c.status}">${c.status}</td>
    <td><a href="#${caseAnchor(index)}">${c.case}</a></td>
    <td class="num">${duration(c.durationMs)}</td>
    <td>${metrics}</td>
  </tr>`;
}

export function casesTable(run: RunFile): SafeHtml {
  if (run.cases.length === 0)
    return markup`<section id="cases">
      <h2>Cases</h2>
      <p>No case finished.</p>
    </section>`;
  const over = run.repeat > 1 ? ` over ${plural(run.repeat, 'repetition')}` : '';
  return markup`<section id="cases">
    <h2>Cases</h2>
    <table>
      <thead>
        <tr>
          <th>Status</th>
          <th>Case</th>
          <th>Time</th>
          <th>Key metrics: median [min–max]${over}</th>
        </tr>
      </thead>
      <tbody>
        ${run.cases.map(caseRow)}
      </tbody>
    </table>
  </section>`;
}
