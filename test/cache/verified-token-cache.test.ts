import { VerifiedTokenCache } from '../../src/cache/verified-token-cache.js';
import type { DigestedTokenRecord } from '../../src/store/token-store.js';

function record(id: string): DigestedTokenRecord {
  return {
    id,
    digest: `digest-${id}`,
    pepperId: null,
    userId: 'u',
    name: id,
    hint: 'pat_abcd',
    scopes: [],
    createdAt: new Date(0),
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    lastUsedUserAgent: null,
    revokedAt: null,
    familyId: id,
    replacedById: null,
  };
}

describe('verified-token cache', () => {
  let now = 0;
  const cache = () => new VerifiedTokenCache({ ttlMs: 1000, maxEntries: 2 }, () => now);
  beforeEach(() => {
    now = 0;
  });

  it('serves an entry until its TTL passes', () => {
    const c = cache();
    c.setIfUnchanged(c.epoch, record('a'));
    now = 999;
    expect(c.get('digest-a')?.id).toBe('a');
    now = 1000;
    expect(c.get('digest-a')).toBeUndefined();
  });

  it('drops the least recently used entry beyond maxEntries', () => {
    const c = cache();
    c.setIfUnchanged(c.epoch, record('a'));
    c.setIfUnchanged(c.epoch, record('b'));
    c.get('digest-a');
    c.setIfUnchanged(c.epoch, record('c'));
    expect(c.get('digest-b')).toBeUndefined();
    expect(c.get('digest-a')?.id).toBe('a');
    expect(c.size).toBe(2);
  });

  it('evicts by token id', () => {
    const c = cache();
    c.setIfUnchanged(c.epoch, record('a'));
    c.evict('a');
    expect(c.get('digest-a')).toBeUndefined();
  });

  it('never stores a lookup result that raced an eviction', () => {
    const c = cache();
    const epoch = c.epoch; // a lookup starts…
    c.evict('a'); // …a revoke of the same token commits and evicts…
    c.setIfUnchanged(epoch, record('a')); // …and the lookup's stale result arrives.
    expect(c.get('digest-a')).toBeUndefined();
  });
});

describe('verified-token cache with a token under two digests (pepper rotation)', () => {
  it('evicts every copy of a token by id', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 1000, maxEntries: 10 }, () => 0);
    const old = { ...record('t'), digest: 'digest-old' };
    const renewed = { ...record('t'), digest: 'digest-new' };
    cache.setIfUnchanged(cache.epoch, old);
    cache.setIfUnchanged(cache.epoch, renewed);
    cache.evict('t');
    expect(cache.get('digest-old')).toBeUndefined();
    expect(cache.get('digest-new')).toBeUndefined();
  });
});
