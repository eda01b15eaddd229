/**
 * `bondlab up` as a user runs it: a real process, real signals, real namespaces, on this kernel
 * (`--kernel host`: auto would pick a guest kernel where bonding is missing). The CLI runs from
 * dist/, built here when missing or older than the sources (`npm test` builds it first anyway).
 */
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { listRecords } from '../../harness/lifecycle/records.js';
import { bondedPair, directPair, switchedPair } from '../../harness/topology/examples.js';
import {
  bondingSkipReason,
  cli,
  ensureBuilt,
  isolateState,
  leaks,
  netnsList,
  snapshot,
  startCli,
  writeJson,
} from '../fixtures/host.js';

ensureBuilt();
isolateState(t);
const noBonding = await bondingSkipReason();
const NO_LEAKS = { netns: [], links: [] };

void t.test('up builds, prints what the kernel made, and tears down', async (t) => {
  const before = snapshot();
  const res = await cli(t, ['up', 'direct', '--kernel', 'host', '--json']);
  t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
  const out = JSON.parse(res.stdout) as {
    run: string;
    interfaces: { host: string; ifname: string; ipv4: string; ipv6: string }[];
    state: { kernel: string; links: Record<string, { ifname: string }[]> };
  };
  t.match(out.run, /^[a-z0-9]{5}$/);
  t.same(
    out.interfaces.map((i) => `${i.host}:${i.ifname} ${i.ipv4} ${i.ipv6}`),
    ['a:eth0 198.18.0.1 2001:2::1', 'b:eth0 198.18.0.2 2001:2::2'],
  );
  t.same(
    out.state.links.a?.map((l) => l.ifname),
    ['lo', 'eth0'],
  );
  t.match(res.stderr, 'topology: creating 2 namespaces and 1 links');
  t.match(res.stderr, `run ${out.run}: built and ready in`);
  t.same(leaks(before), NO_LEAKS);
  t.same(listRecords(), [], 'the run record is released');
});

for (const [signal, status, how] of [
  ['SIGINT', 130, 'Ctrl-C (the whole process group)'],
  ['SIGTERM', 143, 'kill (the process alone)'],
] as const) {
  void t.test(`${signal} in mid-setup: exit ${status}, nothing left`, async (t) => {
    const before = snapshot();
    const group = signal === 'SIGINT';
    const run = startCli(t, ['up', 'switched', '--kernel', 'host', '--hold', '30'], {
      detached: group,
    });
    await run.waitForStderr('topology: configuring');
    const pid = run.child.pid as number;
    // As the terminal does for Ctrl-C: the ip processes of the build get it too.
    if (group) process.kill(-pid, signal);
    else process.kill(pid, signal);
    const res = await run.exited;
    t.equal(res.code, status, `${how}: exit ${status}`, { stderr: res.stderr });
    t.match(res.stderr, new RegExp(`${signal}: stopping run [a-z0-9]{5} and tearing down`));
    t.match(res.stderr, `bondlab: interrupted by ${signal}; tearing down`);
    t.notMatch(res.stderr, 'built and ready', 'the signal landed during setup');
    t.same(leaks(before), NO_LEAKS, 'no namespace of the run is left');
    t.same(listRecords(), [], 'the run record is released');
  });
}

void t.test(
  'bad input: exit 2, a message naming field, value and rule, nothing made',
  async (t) => {
    const bonded = (
      options: Record<string, unknown>,
      edit: Record<string, unknown> = {},
    ): object => {
      const spec = bondedPair();
      return { ...spec, bonds: [{ ...spec.bonds?.[0], options, ...edit }] };
    };
    const cases: [string, object, string, unknown, RegExp][] = [
      [
        'mode 7',
        bonded({ mode: 7 }),
        'topology.bonds[0].options.mode',
        7,
        /expected a mode from 0 to 6 or one of balance-rr, active-backup, /,
      ],
      [
        'miimon -1',
        bonded({ mode: 'active-backup', miimon: -1 }),
        'topology.bonds[0].options.miimon',
        -1,
        /expected an integer from 0 to 2147483647 \(ms\)/,
      ],
      [
        'an unknown bond option',
        bonded({ mode: 'active-backup', mimon: 100 }),
        'topology.bonds[0].options.mimon',
        100,
        /unknown field; known fields: mode, miimon/,
      ],
      [
        'a 16-character interface name',
        { ...directPair(), links: [{ a: 'a:abcdefghijklmnop', b: 'b:eth0' }] },
        'topology.links[0].a',
        'a:abcdefghijklmnop',
        /an interface name is 1 to 15 characters/,
      ],
      [
        'a bond with no slaves',
        bonded({ mode: 'active-backup' }, { slaves: [] }),
        'topology.bonds[0].slaves',
        [],
        /a bond needs at least one slave; client has eth0, eth1/,
      ],
      [
        'a primary that is not a slave',
        bonded({ mode: 'active-backup', primary: 'eth1' }, { slaves: ['eth0'] }),
        'topology.bonds[0].options.primary',
        'eth1',
        /the primary must be one of the bond's slaves: eth0/,
      ],
      [
        'an arp_ip_target no host owns',
        bonded({ mode: 'active-backup', arp_interval: 100, arp_ip_target: ['198.18.0.99'] }),
        'topology.bonds[0].options.arp_ip_target[0]',
        '198.18.0.99',
        /a target must be a host on client:bond0's network, by name or address: server \(198\.18\.0\.1\)/,
      ],
      [
        'an unknown top-level field',
        { ...switchedPair(), vlans: [] },
        'topology.vlans',
        [],
        /unknown field; known fields: hosts, switches, links, bonds/,
      ],
      [
        'a link to an unknown node',
        { ...directPair(), links: [{ a: 'a:eth0', b: 'ghost:eth0' }] },
        'topology.links[0].b',
        'ghost:eth0',
        /"ghost" is neither a host \(a, b\) nor a switch \(none\)/,
      ],
      [
        'a duplicate endpoint',
        {
          hosts: { a: {}, b: {}, c: {} },
          links: [
            { a: 'a:eth0', b: 'b:eth0' },
            { a: 'c:eth0', b: 'a:eth0' },
          ],
        },
        'topology.links[1].b',
        'a:eth0',
        /already used by topology.links\[0\].a; each interface joins one link/,
      ],
      [
        'a host name with a slash',
        { hosts: { 'a/b': {} }, links: [] },
        'topology.hosts',
        'a/b',
        /a host or switch name is 1 to 12 characters/,
      ],
      [
        'a host name in unicode',
        { hosts: { hôte: {} }, links: [] },
        'topology.hosts',
        'hôte',
        /lowercase letters or digits/,
      ],
    ];
    // All at once: each is a separate process, and none may create anything.
    const before = snapshot();
    const results = await Promise.all(cases.map(([, spec]) => cli(t, ['up', writeJson(t, spec)])));
    cases.forEach(([what, , field, value, allowed], i) => {
      const res = results[i];
      t.equal(res?.code, 2, `${what}: exit 2`);
      t.match(
        res?.stderr,
        `bondlab: ${field}: ${JSON.stringify(value)} is not allowed; `,
        `${what}: names the field and the value`,
      );
      t.match(res?.stderr, allowed, `${what}: says what is allowed`);
      t.equal(res?.stdout, '', `${what}: prints no result`);
    });
    t.same(leaks(before), NO_LEAKS, 'nothing was created');
    t.same(listRecords(), [], 'no run record is left');
  },
);

void t.test('bad arguments: exit 2 with the option named', async (t) => {
  const before = netnsList();
  const invalidJson = writeJson(t, {});
  writeFileSync(invalidJson, '{ "hosts": ');
  const cases: [string[], RegExp][] = [
    [
      ['up', 'direct', '--hold=-5'],
      /--hold: "-5" is not allowed; expected an integer from 0 to 3600 \(s\)/,
    ],
    [
      ['up', 'nosuch'],
      /topology: "nosuch" is not allowed; expected an example \(direct, switched, bonded\) or a \.json file/,
    ],
    [['up', invalidJson], /not valid JSON/],
    [['up', 'direct', '--hodl', '3'], /Unknown option '--hodl'; see bondlab up --help/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(t, args)));
  cases.forEach(([args, message], i) => {
    t.equal(results[i]?.code, 2, `${args.join(' ')}: exit 2`);
    t.match(results[i]?.stderr, message, `${args.join(' ')}: names the problem`);
  });
  t.same(netnsList(), before);
});

void t.test(
  'up bonded here: exit 2, the kernel has no bonding driver',
  { skip: noBonding === false ? 'this kernel has a bonding driver' : false },
  async (t) => {
    const before = snapshot();
    const res = await cli(t, ['up', 'bonded', '--kernel', 'host']);
    t.equal(res.code, 2);
    t.match(
      res.stderr,
      /bondlab: this kernel has no bonding driver \(kernel [^)]+\)\n {2}hint: run `bondlab doctor`/,
    );
    t.same(leaks(before), NO_LEAKS);
  },
);

void t.test(
  'up bonded: the bond and its options as the kernel reports them',
  { skip: noBonding },
  async (t) => {
    const before = snapshot();
    const res = await cli(t, ['up', 'bonded', '--kernel', 'host']);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    t.match(
      res.stdout,
      /^bond client:bond0: mode active-backup 1, active eth[01], slaves eth0 eth1$/m,
    );
    t.match(res.stdout, /^ {2}miimon requested 100, kernel 100$/m);
    t.same(leaks(before), NO_LEAKS);
  },
);

void t.test('two CLI runs at once: both succeed, no collision', async (t) => {
  const before = snapshot();
  const first = startCli(t, ['up', 'switched', '--kernel', 'host', '--hold', '30']);
  await first.waitForStderr('holding for');
  const during = addedSince(before.netns);
  t.equal(during.length, 3, 'the first run holds its three namespaces');
  // A second run while the first holds its topology, same names inside.
  const second = await cli(t, ['up', 'switched', '--kernel', 'host']);
  t.equal(second.code, 0, 'exit 0', { stderr: second.stderr });
  t.not(/run ([a-z0-9]{5}): built/.exec(second.stderr)?.[1], first.runId(), 'different run ids');
  t.same(addedSince(before.netns), during, 'the first run’s namespaces are untouched');
  first.child.kill('SIGTERM');
  await first.exited;
  t.same(leaks(before), NO_LEAKS);
});

/** Namespaces that exist now and not in `before`. */
function addedSince(before: readonly string[]): string[] {
  return netnsList().filter((n) => !before.includes(n));
}
