import { cleanDeadRuns } from '../../lifecycle/clean.js';
import { requireRoot } from '../../doctor/privilege.js';
import type { Command } from '../command.js';

export const clean: Command = {
  name: 'clean',
  summary: 'remove what killed runs left behind (namespaces, links, guests, temp files)',
  usage: 'clean [--json]',
  description: [
    'Removes the namespaces (and every link, bond, qdisc and process in them), guest kernels and',
    'temp files of runs that died without tearing down (kill -9, a crash). Never touches a live run,',
    'nor anything without a bondlab run record, even if it is named like ours.',
  ].join('\n'),
  options: { json: { type: 'boolean', description: 'print the report as JSON' } },
  async run({ values }, io) {
    requireRoot('clean', "to remove dead runs' namespaces and stop their guest kernels");
    const report = await cleanDeadRuns();
    if (values.json === true) {
      io.out(JSON.stringify(report, null, 2));
      return 0;
    }
    if (report.removedRuns.length === 0) io.out('nothing to clean: no dead runs');
    for (const id of report.removedRuns) io.out(`removed dead run ${id}`);
    for (const ns of report.removedNetns) io.out(`  namespace ${ns}`);
    for (const g of report.killedProcessGroups) io.out(`  process group ${g}`);
    for (const p of report.removedPaths) io.out(`  ${p}`);
    if (report.keptAlive.length > 0)
      io.out(`kept ${report.keptAlive.length} namespace(s) of live runs`);
    for (const ns of report.leftAlone)
      io.out(`left alone ${ns}: named like bondlab's but no run record lists it`);
    for (const g of report.leftAloneProcessGroups)
      io.out(`left alone process group ${g}: a dead run's id, now another process's`);
    return 0;
  },
};
