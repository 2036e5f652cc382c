// Address parsing behind `cidr`: a wrong parse silently misses or invents matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCidr, parseIp } from './ip.js';

test('IPv4: four decimal octets, nothing else', () => {
  assert.deepEqual(parseIp('10.1.2.3'), { v6: false, value: 0x0a010203n });
  assert.deepEqual(parseIp('255.255.255.255'), { v6: false, value: 0xffffffffn });
  assert.deepEqual(parseIp('001.002.003.004'), { v6: false, value: 0x01020304n });
  for (const bad of ['', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1..2.3', '256.1.1.1', '1.2.3.1000', '1.2.3.x', '1.2.3.4/8', '-1.2.3.4'])
    assert.equal(parseIp(bad), undefined, bad);
});

test('property: IPv4 parse agrees with octet arithmetic', () => {
  fc.assert(
    fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), (o) => {
      const want = o.reduce((n, x) => n * 256n + BigInt(x), 0n);
      assert.deepEqual(parseIp(o.join('.')), { v6: false, value: want });
    }),
  );
});

test('IPv6 forms and CIDR masks', () => {
  assert.equal(parseIp('::1')!.value, 1n);
  assert.equal(parseIp('[fe80::1%eth0]')!.value, (0xfe80n << 112n) | 1n);
  assert.equal(parseIp('::ffff:10.0.0.1')!.value, 0xffff0a000001n);
  assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), undefined);
  const net = parseCidr('10.0.0.0/8')!;
  assert.equal(parseIp('10.200.3.4')!.value & net.mask, net.base);
  assert.notEqual(parseIp('11.0.0.1')!.value & net.mask, net.base);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
});
