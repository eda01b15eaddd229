/**
 * Malformed scenario files, each the whole catalog of a private install (install.ts), run by
 * `bondlab run hostile` or `bondlab list`. A scenario is TypeScript in scenarios/, but what the
 * CLI loads is the compiled JavaScript, so every field can hold anything: these are JavaScript.
 */
import type { HostileInput } from './input.js';

const RUN = ['run', 'hostile'];
const M = 'hostile.measure[0]';

/** A scenario named hostile whose one case is `kase` (a JavaScript expression). */
const scenario = (kase: string): string =>
  `defineScenario({ name: 'hostile', summary: 'a malformed case', build: () => (${kase}) })`;

/** A case: the bonded pair, one failover with `fields` added, and `rest` after it. */
const failover = (fields: string, rest = ''): string =>
  scenario(
    `{ topology: bondedPair(), measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' }, ${fields} }]${rest} }`,
  );

/** A case whose failover injects `fault` on `topology`. */
const fault = (f: string, topology = 'bondedPair()'): string =>
  scenario(`{ topology: ${topology}, measure: [{ kind: 'failover', fault: ${f} }] }`);

/** A case with one throughput measurement of `fields`. */
const throughput = (fields: string): string =>
  scenario(`{ topology: bondedPair(), measure: [{ kind: 'throughput', ${fields} }] }`);

/** A case with one expectation. */
const expectation = (e: string): string => failover('', `, expect: [${e}]`);

const DEFINITION = (fields: string): string =>
  `defineScenario({ build: () => ({ topology: bondedPair(), measure: [] }), ${fields} })`;

export const SCENARIO_INPUTS: readonly HostileInput[] = [
  // The definition.
  {
    id: 'a scenario name with a slash',
    argv: ['list'],
    scenario: DEFINITION(`name: 'a/b', summary: 'x'`),
    field: 'scenario.name',
    value: '"a/b"',
    allowed: 'expected lowercase letters, digits and dashes',
  },
  {
    id: 'a scenario name in unicode',
    argv: RUN,
    scenario: DEFINITION(`name: 'hóstile', summary: 'x'`),
    field: 'scenario.name',
    value: '"hóstile"',
    allowed: 'expected lowercase letters, digits and dashes',
  },
  {
    id: 'a scenario name that is a number',
    argv: ['list'],
    scenario: DEFINITION(`name: 42, summary: 'x'`),
    field: 'scenario.name',
    value: '42',
    allowed: 'expected lowercase letters, digits and dashes',
  },
  {
    id: 'a 65-character scenario name',
    argv: RUN,
    scenario: DEFINITION(`name: '${'a'.repeat(65)}', summary: 'x'`),
    field: 'scenario.name',
    allowed: 'expected lowercase letters, digits and dashes (at most 64)',
  },
  {
    id: 'a summary with a newline',
    argv: ['list'],
    scenario: DEFINITION(`name: 'hostile', summary: 'one\\nok 99 a forged TAP line'`),
    field: 'hostile.summary',
    allowed: 'expected one non-empty line of text',
  },
  {
    id: 'a summary that is a number',
    argv: RUN,
    scenario: DEFINITION(`name: 'hostile', summary: 7`),
    field: 'hostile.summary',
    value: '7',
    allowed: 'expected one non-empty line of text',
  },
  {
    id: 'an unknown definition field',
    argv: RUN,
    scenario: DEFINITION(`name: 'hostile', summary: 'x', sweeps: { mode: [1] }`),
    field: 'scenario.sweeps',
    allowed: 'unknown field; known fields: name, summary, sweep, build',
  },
  {
    id: 'build that is not a function',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', build: { topology: {} } })`,
    field: 'hostile.build',
    allowed: 'expected a function from parameters to a case',
  },
  {
    id: 'build that throws',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', build: () => { throw new Error('boom'); } })`,
    field: 'hostile.build',
    allowed: 'it threw Error: boom',
  },
  {
    id: 'build that returns nothing',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', build: () => undefined })`,
    field: 'hostile.build()',
    value: 'undefined',
    allowed: 'expected an object',
  },
  {
    id: 'a sweep that is not a list',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', sweep: { miimon: 100 }, build: () => ({}) })`,
    field: 'hostile.sweep.miimon',
    value: '100',
    allowed: 'expected a lowercase name and a list of at least one value',
  },
  {
    id: 'a sweep value with a newline',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', sweep: { x: ['a\\nok 1'] }, build: () => ({}) })`,
    field: 'hostile.sweep.x[0]',
    value: '"a\\nok 1"',
    allowed: 'without control characters',
  },
  {
    id: 'a sweep value NaN',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', sweep: { miimon: [NaN] }, build: () => ({}) })`,
    field: 'hostile.sweep.miimon[0]',
    allowed: 'expected a finite number',
  },
  {
    id: 'a sweep of 65 values',
    argv: RUN,
    scenario: `defineScenario({ name: 'hostile', summary: 'x', sweep: { miimon: Array.from({ length: 65 }, (_, i) => i) }, build: () => ({}) })`,
    field: 'hostile.sweep.miimon',
    value: '"65 values"',
    allowed: 'expected at most 64',
  },
  {
    id: 'a module without a default export',
    argv: ['list'],
    scenario: `undefined`,
    field: 'scenario file',
    allowed: 'expected a default export made with defineScenario()',
  },

  // The case.
  {
    id: 'a case that measures nothing',
    argv: RUN,
    scenario: scenario(`{ topology: bondedPair(), measure: [] }`),
    field: 'hostile.measure',
    value: '[]',
    allowed: 'expected 1 to 32 measurements',
  },
  {
    id: 'a primary that is not a slave, in a scenario',
    argv: RUN,
    scenario: scenario(
      `{ topology: bondedPair({ mode: 'active-backup', miimon: 100, primary: 'eth2' }), measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' } }] }`,
    ),
    field: 'hostile: topology.bonds[0].options.primary',
    value: '"eth2"',
    allowed: "the primary must be one of the bond's slaves: eth0, eth1",
  },
  {
    id: 'an unknown measurement kind',
    argv: RUN,
    scenario: scenario(`{ topology: bondedPair(), measure: [{ kind: 'ping' }] }`),
    field: `${M}.kind`,
    value: '"ping"',
    allowed: 'expected "failover" or "throughput"',
  },
  {
    id: 'a misspelt measurement field',
    argv: RUN,
    scenario: failover('faultMS: 1000'),
    field: `${M}.faultMS`,
    value: '1000',
    allowed: 'unknown field; known fields: kind, id, fault',
  },
  {
    id: 'a measurement id with a slash',
    argv: RUN,
    scenario: failover(`id: '../x'`),
    field: `${M}.id`,
    value: '"../x"',
    allowed: 'expected a lowercase letter',
  },
  {
    id: 'two measurements with one id',
    argv: RUN,
    scenario: scenario(
      `{ topology: bondedPair(), measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' } }, { kind: 'failover', fault: { kind: 'slave-down' } }] }`,
    ),
    field: 'hostile.measure',
    value: '"failover"',
    allowed: 'expected each measurement id once',
  },
  {
    id: 'a failover on a host without a bond',
    argv: RUN,
    scenario: failover(`host: 'server', peer: 'client'`),
    field: `${M}.host`,
    value: '"server"',
    allowed: 'expected a host with a bond: client',
  },
  {
    id: 'a failover peer that is no host',
    argv: RUN,
    scenario: failover(`peer: 'eth0; rm -rf /'`),
    field: `${M}.peer`,
    value: '"eth0; rm -rf /"',
    allowed: 'expected a host of the topology: client, server',
  },
  {
    id: 'a failover peer that is the bond host',
    argv: RUN,
    scenario: failover(`peer: 'client'`),
    field: `${M}.peer`,
    value: '"client"',
    allowed: 'expected a host other than client',
  },
  {
    id: 'a probe rate of -1',
    argv: RUN,
    scenario: failover('rate: -1'),
    field: `${M}.rate`,
    value: '-1',
    allowed: 'expected an integer from 1 to 10000 (probes/s)',
  },
  {
    id: 'a fault lasting 1e308 ms',
    argv: RUN,
    scenario: failover('faultMs: 1e308'),
    field: `${M}.faultMs`,
    value: '1e+308',
    allowed: 'expected an integer from 10 to 600000 (ms)',
  },
  {
    id: 'a probing window of NaN',
    argv: RUN,
    scenario: failover('beforeMs: NaN'),
    field: `${M}.beforeMs`,
    allowed: 'expected an integer from 100 to 60000 (ms)',
  },

  // Faults.
  {
    id: 'an unknown fault kind',
    argv: RUN,
    scenario: fault(`{ kind: 'meteor' }`),
    field: `${M}.fault.kind`,
    value: '"meteor"',
    allowed: 'expected one of carrier-loss, slave-down, port-disabled',
  },
  {
    id: 'a fault on a slave the bond has not',
    argv: RUN,
    scenario: fault(`{ kind: 'slave-down', slave: 'eth9' }`),
    field: `${M}.fault.slave`,
    value: '"eth9"',
    allowed: "expected one of client's bond slaves: eth0, eth1",
  },
  {
    id: 'a fault slave with a shell injection',
    argv: RUN,
    scenario: fault(`{ kind: 'carrier-loss', slave: 'eth0; rm -rf /' }`),
    field: `${M}.fault.slave`,
    value: '"eth0; rm -rf /"',
    allowed: "expected one of client's link ends: eth0, eth1",
  },
  {
    id: 'a fault on a switch that does not exist',
    argv: RUN,
    scenario: fault(`{ kind: 'port-disabled', switch: 'ghost', port: 'p1' }`),
    field: `${M}.fault.switch`,
    value: '"ghost"',
    allowed: 'expected a switch: sw',
  },
  {
    id: 'a fault on a port the switch has not',
    argv: RUN,
    scenario: fault(`{ kind: 'port-disabled', switch: 'sw', port: 'p9' }`),
    field: `${M}.fault.port`,
    value: '"p9"',
    allowed: 'expected a port of sw: p1, p2, p3',
  },
  {
    id: 'LACPDU loss on a port that never forwarded them',
    argv: RUN,
    scenario: fault(`{ kind: 'lacpdu-loss', switch: 'sw', port: 'p1' }`),
    field: `${M}.fault.port`,
    value: '"p1"',
    allowed: 'LACPDUs do not cross sw:p1 to begin with',
  },
  {
    id: 'a degrade with 200 % loss',
    argv: RUN,
    scenario: fault(`{ kind: 'degrade', node: 'client', ifname: 'eth0', lossPercent: 200 }`),
    field: `${M}.fault.lossPercent`,
    value: '200',
    allowed: 'expected a number from 0 to 100 %',
  },
  {
    id: 'a degrade of something that is no link end',
    argv: RUN,
    scenario: fault(`{ kind: 'degrade', node: 'client', ifname: 'bond0', delayMs: 5 }`),
    field: `${M}.fault.ifname`,
    value: '"client:bond0"',
    allowed: 'expected a link end: client:eth0',
  },

  // Throughput.
  {
    id: 'throughput with 2^53+1 flows',
    argv: RUN,
    scenario: throughput('flows: 9007199254740993'),
    field: `${M}.flows`,
    allowed: 'expected an integer from 1 to 16',
  },
  {
    id: 'throughput over sctp',
    argv: RUN,
    scenario: throughput(`protocol: 'sctp'`),
    field: `${M}.protocol`,
    value: '"sctp"',
    allowed: 'expected "tcp" or "udp"',
  },
  {
    id: 'throughput to a host that does not exist',
    argv: RUN,
    scenario: throughput(`to: 'nowhere'`),
    field: `${M}.to`,
    value: '"nowhere"',
    allowed: 'expected a host of the topology: client, server',
  },

  // Expectations.
  {
    id: 'an expectation on an unknown metric',
    argv: RUN,
    scenario: expectation(`{ metric: 'failover.speed', op: '<=', value: 1, says: 'x' }`),
    field: 'hostile.expect[0].metric',
    value: '"failover.speed"',
    allowed: 'expected one of failover.detection',
  },
  {
    id: 'an expectation with operator =<',
    argv: RUN,
    scenario: expectation(`{ metric: 'failover.outage', op: '=<', value: 1, says: 'x' }`),
    field: 'hostile.expect[0].op',
    value: '"=<"',
    allowed: 'expected one of <= >= ==',
  },
  {
    id: 'an expectation bound of NaN',
    argv: RUN,
    scenario: expectation(`{ metric: 'failover.outage', op: '<=', value: NaN, says: 'x' }`),
    field: 'hostile.expect[0].value',
    allowed: 'expected a finite number',
  },
  {
    id: 'an expectation bound as text',
    argv: RUN,
    scenario: expectation(`{ metric: 'failover.outage', op: '<=', value: '100', says: 'x' }`),
    field: 'hostile.expect[0].value',
    value: '"100"',
    allowed: 'expected a finite number',
  },
  {
    id: 'an expectation whose words forge a TAP line',
    argv: RUN,
    scenario: expectation(
      `{ metric: 'failover.outage', op: '<=', value: 1, says: 'x\\nok 2 - all good' }`,
    ),
    field: 'hostile.expect[0].says',
    value: '"x\\nok 2 - all good"',
    allowed: 'expected one non-empty line of text',
  },
];
