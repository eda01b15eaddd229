import { loadCatalog } from '../../scenario/catalog.js';
import { sweepCases } from '../../scenario/define.js';
import type { Command } from '../command.js';

export const list: Command = {
  name: 'list',
  summary: 'list the scenarios, one line each',
  usage: 'list',
  options: {},
  async run(_args, io) {
    const catalog = await loadCatalog();
    const width = Math.max(...catalog.map((s) => s.name.length));
    for (const s of catalog) {
      const cases = sweepCases(s.sweep).length;
      io.out(
        `${s.name.padEnd(width)}  ${String(cases).padStart(2)} case${cases === 1 ? ' ' : 's'}  ${s.summary}`,
      );
    }
    return 0;
  },
};
