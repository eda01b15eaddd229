import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { bondCreateWords, parseBondOptions } from '../../harness/topology/bond-options.js';

const SLAVES = ['eth0', 'eth1'];
const F = 'bond.options';

function parse(value: unknown): ReturnType<typeof parseBondOptions> {
  return parseBondOptions(F, value, SLAVES);
}

function refusal(value: unknown): { field: string; value: unknown; allowed: string } {
  try {
    parse(value);
  } catch (error) {
    if (error instanceof InputError) {
      return { field: error.field, value: error.value, allowed: error.allowed };
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

void t.test('defaults and canonical forms', async (t) => {
  t.same(parse(undefined), { mode: 'balance-rr' }, 'the driver’s default mode');
  t.same(parse({ mode: 1 }), { mode: 'active-backup' }, 'a mode by number');
  t.same(parse({ mode: '4' }), { mode: '802.3ad' }, 'a mode by number as text');
  t.same(
    parse({ mode: '802.3ad', lacp_rate: 1, ad_select: 'count', xmit_hash_policy: 'layer3+4' }),
    { mode: '802.3ad', lacp_rate: 'fast', ad_select: 'count', xmit_hash_policy: 'layer3+4' },
  );
  t.same(parse({ mode: 'balance-tlb', tlb_dynamic_lb: 0, use_carrier: 'on' }), {
    mode: 'balance-tlb',
    tlb_dynamic_lb: false,
    use_carrier: true,
  });
  t.same(parse({ mode: 'active-backup', miimon: '100', updelay: 200, primary: 'eth1' }), {
    mode: 'active-backup',
    miimon: 100,
    updelay: 200,
    primary: 'eth1',
  });
  t.same(parse({ arp_interval: 100, arp_ip_target: 'server,198.18.0.9' }).arp_ip_target, [
    'server',
    '198.18.0.9',
  ]);
});

void t.test('refusals name the field, the value and what is allowed', async (t) => {
  const cases: [string, unknown, { field: string; value: unknown; allowed: RegExp }][] = [
    ['mode 7', { mode: 7 }, { field: `${F}.mode`, value: 7, allowed: /from 0 to 6/ }],
    [
      'an unknown mode name',
      { mode: 'active-passive' },
      { field: `${F}.mode`, value: 'active-passive', allowed: /active-backup/ },
    ],
    [
      'miimon -1',
      { miimon: -1 },
      { field: `${F}.miimon`, value: -1, allowed: /from 0 to 2147483647 \(ms\)/ },
    ],
    [
      'miimon 1.5',
      { miimon: 1.5 },
      { field: `${F}.miimon`, value: 1.5, allowed: /expected an integer/ },
    ],
    [
      'an unknown option',
      { lacp: 'fast' },
      { field: `${F}.lacp`, value: 'fast', allowed: /unknown field; known fields: mode, / },
    ],
    [
      'an unknown enum value',
      { mode: '802.3ad', lacp_rate: 'medium' },
      { field: `${F}.lacp_rate`, value: 'medium', allowed: /slow \(0\), fast \(1\)/ },
    ],
    [
      'a boolean that is not one',
      { use_carrier: 'yes' },
      { field: `${F}.use_carrier`, value: 'yes', allowed: /true or false/ },
    ],
    [
      'a primary that is not a slave',
      { mode: 'active-backup', primary: 'eth2' },
      {
        field: `${F}.primary`,
        value: 'eth2',
        allowed: /the primary must be one of the bond's slaves: eth0, eth1/,
      },
    ],
    [
      'a primary in a mode without one',
      { mode: 'balance-rr', primary: 'eth0' },
      {
        field: `${F}.primary`,
        value: 'eth0',
        allowed:
          /applies only in mode active-backup, balance-tlb, balance-alb; this bond is balance-rr/,
      },
    ],
    [
      'lacp_rate outside 802.3ad',
      { mode: 'active-backup', lacp_rate: 'fast' },
      { field: `${F}.lacp_rate`, value: 'fast', allowed: /applies only in mode 802.3ad/ },
    ],
    [
      'miimon with arp_interval',
      { miimon: 100, arp_interval: 100, arp_ip_target: ['server'] },
      { field: `${F}.arp_interval`, value: 100, allowed: /exclude each other/ },
    ],
    [
      'arp_interval without targets',
      { arp_interval: 100 },
      { field: `${F}.arp_ip_target`, value: undefined, allowed: /needs at least one/ },
    ],
    [
      'targets without arp_interval',
      { arp_ip_target: ['server'] },
      { field: `${F}.arp_interval`, value: undefined, allowed: /never probed/ },
    ],
    [
      'a target that is neither a host nor an address',
      { arp_interval: 100, arp_ip_target: ['198.18.0'] },
      {
        field: `${F}.arp_ip_target[0]`,
        value: '198.18.0',
        allowed: /a host name or an IPv4 address/,
      },
    ],
    [
      'an IPv4 NS target',
      { arp_interval: 100, ns_ip6_target: ['198.18.0.1'] },
      {
        field: `${F}.ns_ip6_target[0]`,
        value: '198.18.0.1',
        allowed: /a host name or an IPv6 address/,
      },
    ],
    [
      'seventeen targets',
      { arp_interval: 100, arp_ip_target: Array.from({ length: 17 }, (_, i) => `h${i}`) },
      { field: `${F}.arp_ip_target`, value: /.*/, allowed: /1 to 16 targets/ },
    ],
    [
      'updelay without miimon',
      { updelay: 200 },
      { field: `${F}.updelay`, value: 200, allowed: /updelay needs miimon > 0/ },
    ],
    [
      'downdelay not a multiple of miimon',
      { miimon: 100, downdelay: 150 },
      { field: `${F}.downdelay`, value: 150, allowed: /multiple of miimon \(100\)/ },
    ],
    [
      'num_grat_arp and num_unsol_na disagreeing',
      { num_grat_arp: 1, num_unsol_na: 2 },
      { field: `${F}.num_unsol_na`, value: 2, allowed: /num_grat_arp is 1/ },
    ],
    [
      'options that are not an object',
      ['mode', 1],
      { field: F, value: ['mode', 1], allowed: /expected an object/ },
    ],
  ];
  for (const [what, value, expected] of cases) t.match(refusal(value), expected, what);
});

void t.test('the words for ip link add, primary left for later', async (t) => {
  const o = parse({
    mode: 'active-backup',
    primary: 'eth1',
    arp_interval: 100,
    arp_ip_target: ['a', 'b'],
    all_slaves_active: true,
    arp_validate: 'all',
  });
  t.same(bondCreateWords(o, { arp: ['198.18.0.1', '198.18.0.2'], ns: [] }), [
    'mode',
    'active-backup',
    'arp_interval',
    '100',
    'arp_validate',
    'all',
    'all_slaves_active',
    '1',
    'arp_ip_target',
    '198.18.0.1,198.18.0.2',
  ]);
});
