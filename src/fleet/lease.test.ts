// Partition leases in a real JetStream KV bucket: one holder at a time, takeover only after
// expiry, a holder that lost its lease learns it on renewal, and a holder whose renewals stall
// sees its leases as stale before they expire (the worker stops those partitions then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { Leases } from './lease.js';
import { ensureFleet } from './nats.js';
import { natsServerMissing, startJetStream } from './testdata.js';

test('leases: one holder, takeover after expiry, the old holder loses it on renewal, stale leases are seen before they expire, a forgotten lease stays forgotten', async (t) => {
  if (natsServerMissing()) {
    console.error('SKIP lease test: nats-server is not installed (run scripts/test-env.sh)');
    t.skip('nats-server not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-lease-'));
  const nats = await startJetStream(join(dir, 'js'));
  const nc = await connect({ servers: nats.url });
  try {
    const { leases: kv } = await ensureFleet(nc);
    let now = 1_000_000;
    const clock = (): number => now;
    const a = new Leases(kv, 'a', 4000, clock);
    const b = new Leases(kv, 'b', 4000, clock);
    assert.equal(await a.acquire(0), true);
    assert.equal(await b.acquire(0), false, 'held and not expired');
    assert.deepEqual(await b.table(2), ['a', undefined]);

    now += 2000;
    assert.deepEqual(a.stale(3000), [], 'written 2 s ago: not stale');
    now += 1500;
    assert.deepEqual(a.stale(3000), [0], 'not renewed for 3.5 s: stale before its 4 s expiry');
    assert.equal(await b.acquire(0), false, 'still not expired for others');
    assert.equal(await a.renew(0), true);
    assert.deepEqual(a.stale(3000), [], 'a renewal makes it fresh');

    now += 4001;
    assert.equal(await b.acquire(0), true, 'expired: taken over');
    assert.equal(await a.renew(0), false, 'the old holder learns it lost the lease');
    assert.deepEqual(a.owned(), []);
    assert.deepEqual(b.owned(), [0]);

    const renewing = b.renew(0);
    b.forget(0);
    assert.equal(await renewing, false, 'forgotten while its renewal was under way: not held again by the renewal');
    assert.deepEqual(b.owned(), []);
    assert.equal(await b.acquire(0), true, 'its own unexpired lease: taken again by its holder');
    b.forget(0);
    assert.deepEqual(b.owned(), [], 'forgotten here');
    assert.deepEqual(await a.table(1), ['b'], 'but still held in the bucket until it expires');
  } finally {
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
