/**
 * The sampling loop of CounterSampler, run in a worker thread (`new Worker(source, { eval: true })`)
 * so that its timing does not depend on the main thread. In User-mode Linux each process the main
 * thread starts (an iperf3 client, say) blocks it for 0.2-1.4 s while the kernel copies its memory
 * map (measured: a 10 ms interval timer missed up to 3.5 s; a worker thread up to 0.4 s), and
 * multi-flow runs start their clients exactly when the traffic ramps up.
 *
 * Plain JavaScript in a string: the worker runs it as is, whatever compiled or loaded the harness
 * (tsc for dist/, tsx in tests). It only reads and timestamps; the main thread parses.
 *
 * workerData: `pid`, `netnsIno` (the namespace it must be in), `intervalMs`, `maxDurationMs`,
 * `maxSamples`, `beginWithinMs`, `control` (an Int32Array on a SharedArrayBuffer: [0] the state
 * below) and `anchor` (a Float64Array on one: [0] the monotonic ms begin() counts from).
 * Messages out: `{ ready: true }`, `{ sample: { atMs, text } }` (text: /proc/<pid>/net/dev),
 * `{ error: string }`, and `{ done: true }` last.
 */
export const SAMPLER_STATE = { waiting: 0, sampling: 1, stopping: 2, aborted: 3 } as const;

export const COUNTER_WORKER_SOURCE = String.raw`
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync, statSync } = require('node:fs');
const { pid, netnsIno, intervalMs, maxDurationMs, maxSamples, beginWithinMs, control, anchor } =
  workerData;
const [WAITING, SAMPLING, STOPPING] = [${SAMPLER_STATE.waiting}, ${SAMPLER_STATE.sampling}, ${SAMPLER_STATE.stopping}];
const now = () => Number(process.hrtime.bigint()) / 1e6;
let count = 0;

function sample() {
  const atMs = now();
  let text;
  try {
    text = readFileSync('/proc/' + pid + '/net/dev', 'utf8');
    // After the read: had the pid been recycled before it, its namespace would differ now.
    if (statSync('/proc/' + pid + '/ns/net').ino !== netnsIno)
      throw new Error('pid ' + pid + ' is no longer in the namespace');
  } catch (error) {
    parentPort.postMessage({ error: 'reading /proc/' + pid + '/net/dev failed: ' + error.message });
    return false;
  }
  parentPort.postMessage({ sample: { atMs, text } });
  count++;
  return true;
}

function run() {
  parentPort.postMessage({ ready: true });
  if (Atomics.wait(control, 0, WAITING, beginWithinMs) === 'timed-out') {
    parentPort.postMessage({ error: 'sampling was never begun' });
    return;
  }
  // Begun (the anchor is set), even if stopped since: the first sample is still due.
  const anchorMs = anchor[0];
  const state = Atomics.load(control, 0);
  if (anchorMs === 0 || (state !== SAMPLING && state !== STOPPING)) return;
  for (;;) {
    if (!sample()) return;
    // A stop wakes the wait below; the sample after it is the last.
    if (Atomics.load(control, 0) !== SAMPLING) return;
    const elapsed = now() - anchorMs;
    if (elapsed >= maxDurationMs || count >= maxSamples) {
      parentPort.postMessage({
        error: 'sampling stopped at its limit (' + maxDurationMs + ' ms, ' + maxSamples + ' samples)',
      });
      return;
    }
    // On a grid from the anchor, so a late wake does not push every later sample back.
    const next = (Math.floor(elapsed / intervalMs) + 1) * intervalMs;
    Atomics.wait(control, 0, SAMPLING, next - elapsed);
    if (Atomics.load(control, 0) !== SAMPLING && Atomics.load(control, 0) !== STOPPING) return;
  }
}

run();
parentPort.postMessage({ done: true });
`;
