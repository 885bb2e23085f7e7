import { LastUsedRecorder } from '../../src/service/last-used-recorder.js';
import type { LastUse } from '../../src/store/token-store.js';

describe('last-use recorder', () => {
  const MINUTE = 60_000;
  function setUp() {
    const batches: LastUse[][] = [];
    const recorder = new LastUsedRecorder(
      { recordLastUses: async (uses) => void batches.push([...uses]) },
      MINUTE,
      (error) => {
        throw error;
      },
    );
    return { recorder, batches };
  }
  const token = (id: string, lastUsedAt: Date | null = null, lastUsedIp: string | null = null) => ({
    id,
    lastUsedAt,
    lastUsedIp,
    lastUsedUserAgent: null,
  });
  const fromIp = (ip: string) => ({ ip, userAgent: 'curl/8' });

  it('writes a busy token once per interval, in one batch', async () => {
    const { recorder, batches } = setUp();
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 1000; i += 1) recorder.record(token('busy'), new Date(start + i * 10));
    recorder.record(token('other'), new Date(start));
    await recorder.flush();
    expect(batches).toEqual([
      [
        { id: 'busy', at: new Date(start), ip: undefined, userAgent: undefined },
        { id: 'other', at: new Date(start), ip: undefined, userAgent: undefined },
      ],
    ]);
    recorder.record(token('busy'), new Date(start + MINUTE - 1));
    await recorder.flush();
    expect(batches).toHaveLength(1);
    recorder.record(token('busy'), new Date(start + MINUTE));
    await recorder.flush();
    expect(batches[1]).toEqual([{ id: 'busy', at: new Date(start + MINUTE), ip: undefined, userAgent: undefined }]);
  });

  it('shows the queued value before it is written', () => {
    const { recorder } = setUp();
    const at = new Date('2026-01-01T00:00:00Z');
    expect(recorder.record(token('t'), at, fromIp('10.0.0.1')).lastUsedAt).toEqual(at);
    expect(recorder.latest(token('t'))).toEqual({ lastUsedAt: at, lastUsedIp: '10.0.0.1', lastUsedUserAgent: 'curl/8' });
    const later = new Date(at.getTime() + 1);
    expect(recorder.latest(token('t', later, '10.0.0.9'))).toEqual({ lastUsedAt: later, lastUsedIp: '10.0.0.9', lastUsedUserAgent: null });
  });

  it('does not write when the stored value is recent', async () => {
    const { recorder, batches } = setUp();
    const stored = new Date('2026-01-01T00:00:00Z');
    expect(recorder.record(token('t', stored), new Date(stored.getTime() + 1000)).lastUsedAt).toEqual(stored);
    await recorder.flush();
    expect(batches).toEqual([]);
  });

  it('reports and writes a use from another IP at once, even within the interval', async () => {
    const { recorder, batches } = setUp();
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect(recorder.record(token('t', null, null), new Date(start), fromIp('10.0.0.1')).newIpAfter).toBeNull();
    expect(recorder.record(token('t', null, null), new Date(start + 10), fromIp('10.0.0.1')).newIpAfter).toBeUndefined();
    expect(recorder.record(token('t', null, null), new Date(start + 20), fromIp('10.0.0.2')).newIpAfter).toBe('10.0.0.1');
    await recorder.flush();
    expect(batches).toEqual([[{ id: 't', at: new Date(start + 20), ip: '10.0.0.2', userAgent: 'curl/8' }]]);
  });

  it('compares with the stored IP when it has not seen the token', () => {
    const { recorder } = setUp();
    const at = new Date('2026-01-01T00:00:00Z');
    expect(recorder.record(token('t', null, '10.0.0.1'), at, fromIp('10.0.0.1')).newIpAfter).toBeUndefined();
    expect(recorder.record(token('u', null, '10.0.0.1'), at, fromIp('10.0.0.7')).newIpAfter).toBe('10.0.0.1');
  });
});

describe('last-use recorder with runners taking turns among IPs', () => {
  it('announces each of a few alternating IPs once, and keeps writing at most once per interval', async () => {
    const batches: LastUse[][] = [];
    const recorder = new LastUsedRecorder({ recordLastUses: async (uses) => void batches.push([...uses]) }, 60_000, (error) => {
      throw error;
    });
    const token = { id: 't', lastUsedAt: null, lastUsedIp: null, lastUsedUserAgent: null };
    const start = Date.parse('2026-01-01T00:00:00Z');
    const announced: Array<string | null> = [];
    ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1'].forEach((ip, i) => {
      const use = recorder.record(token, new Date(start + i * 1000), { ip, userAgent: undefined });
      if (use.newIpAfter !== undefined) announced.push(`${use.newIpAfter ?? 'none'}→${ip}`);
    });
    expect(announced).toEqual(['none→10.0.0.1', '10.0.0.1→10.0.0.2', '10.0.0.2→10.0.0.3']);
    await recorder.flush();
    expect(batches).toEqual([[{ id: 't', at: new Date(start + 4000), ip: '10.0.0.3', userAgent: undefined }]]);
  });
});
