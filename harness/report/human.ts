import type { CaseResult, MetricResult } from '../scenario/result.js';
import type { Progress } from '../scenario/runner.js';
import type { Reporter, ReporterIo, RunInfo } from './reporter.js';

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function number(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function unitOf(metrics: readonly MetricResult[], name: string): string {
  return metrics.find((m) => m.name === name)?.unit ?? '';
}

/** The case's lines: status, each expectation with measured against bound, the metrics' medians. */
export function caseLines(r: CaseResult): string[] {
  const lines = [
    `${r.status.toUpperCase().padEnd(6)} ${r.case} (${(r.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (r.error !== undefined) lines.push(...r.error.split('\n').map((l) => `       ${l}`));
  for (const e of r.expectations) {
    const unit = unitOf(r.metrics, e.metric);
    const measured = e.measured === undefined ? 'not measured' : `${number(e.measured)} ${unit}`;
    lines.push(
      `  ${e.pass ? 'ok  ' : 'FAIL'} ${e.says}: ${e.metric} ${measured} (bound ${e.op} ${e.value} ${unit})`,
    );
  }
  const shown = r.metrics.filter((m) => m.summary !== undefined);
  if (shown.length > 0) {
    lines.push(
      `       ${shown.map((m) => `${m.name} ${number(m.summary?.median ?? 0)}${m.unit === '%' ? '%' : ` ${m.unit}`}`).join(', ')}`,
    );
  }
  return lines;
}

/**
 * For people: on a terminal, one live line on stderr (case, phase, elapsed, ETA), redrawn every
 * second; elsewhere, a plain line per case. At the end, every case with its expectations, and the
 * tally.
 */
export function humanReporter(io: ReporterIo): Reporter {
  const started = performance.now();
  let current = { index: 0, total: 0, name: '', phase: '' };
  const caseTimes: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    if (!io.isTTY || io.errRaw === undefined || current.total === 0) return;
    const elapsed = performance.now() - started;
    const done = caseTimes.length;
    const eta =
      done === 0
        ? '?'
        : clock((caseTimes.reduce((a, b) => a + b, 0) / done) * (current.total - done));
    const line = `[${current.index + 1}/${current.total}] ${current.name} · ${current.phase} · ${clock(elapsed)} elapsed · ETA ${eta}`;
    io.errRaw(`\r\x1b[2K${line.slice(0, 200)}`);
  };
  const clear = (): void => {
    if (io.isTTY) io.errRaw?.('\r\x1b[2K');
  };
  return {
    progress(p: Progress) {
      if (p.type === 'case-start') {
        current = { index: p.index, total: p.total, name: p.name, phase: 'starting' };
        if (!io.isTTY) io.err(`[${p.index + 1}/${p.total}] ${p.name}`);
        timer ??= setInterval(draw, 1000);
        timer.unref();
      } else if (p.type === 'phase') {
        current.phase = p.phase;
      } else {
        caseTimes.push(p.result.durationMs);
        clear();
        io.err(
          `[${p.index + 1}/${p.total}] ${p.result.case}: ${p.result.status} (${(p.result.durationMs / 1000).toFixed(1)} s)`,
        );
      }
      draw();
    },
    finish(results: readonly CaseResult[], info: RunInfo) {
      clearInterval(timer);
      timer = undefined;
      clear();
      for (const r of results) io.out(caseLines(r).join('\n'));
      const count = (s: CaseResult['status']): number =>
        results.filter((r) => r.status === s).length;
      const parts = [`${count('passed')} passed`, `${count('failed')} failed`];
      if (count('error') > 0) parts.push(`${count('error')} errors`);
      if (count('interrupted') > 0) parts.push(`${count('interrupted')} interrupted`);
      io.out('');
      io.out(
        `${results.length} case${results.length === 1 ? '' : 's'}: ${parts.join(', ')} in ${clock(info.durationMs)} on ${info.kernel} (${info.kernelRelease}), ${info.repeat} repetition${info.repeat === 1 ? '' : 's'} each`,
      );
    },
  };
}
