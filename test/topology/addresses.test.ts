import t from 'tap';
import { compressIpv6, inIpv4Range, segmentAddress } from '../../harness/topology/addresses.js';

void t.test('segments map into 198.18.0.0/15 and 2001:2::/48', async (t) => {
  t.same(segmentAddress(0, 1), { ipv4: '198.18.0.1', ipv6: '2001:2::1', prefix4: 24, prefix6: 64 });
  t.equal(segmentAddress(255, 254).ipv4, '198.18.255.254');
  t.equal(segmentAddress(256, 1).ipv4, '198.19.0.1');
  t.equal(segmentAddress(511, 2).ipv6, '2001:2:0:1ff::2');
  t.ok(inIpv4Range(segmentAddress(511, 254).ipv4));
  t.throws(() => segmentAddress(512, 1), RangeError);
  t.throws(() => segmentAddress(0, 255), RangeError);
});

void t.test('IPv6 text is RFC 5952', async (t) => {
  t.equal(compressIpv6([0x2001, 2, 0, 0, 0, 0, 0, 1]), '2001:2::1');
  t.equal(compressIpv6([0x2001, 2, 0, 5, 0, 0, 0, 1]), '2001:2:0:5::1');
  t.equal(compressIpv6([1, 2, 3, 4, 5, 6, 7, 8]), '1:2:3:4:5:6:7:8');
});
