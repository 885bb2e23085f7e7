import { LastUsedRecorder } from '../../src/service/last-used-recorder.js';
import type { LastUse } from '../../src/store/token-store.js';

describe('lastUsedAt recorder', () => {
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

  it('writes a busy token once per interval, in one batch', async () => {
    const { recorder, batches } = setUp();
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 1000; i += 1) recorder.record('busy', new Date(start + i * 10), null);
    recorder.record('other', new Date(start), null);
    await recorder.flush();
    expect(batches).toEqual([
      [
        { id: 'busy', at: new Date(start) },
        { id: 'other', at: new Date(start) },
      ],
    ]);
    recorder.record('busy', new Date(start + MINUTE - 1), null);
    await recorder.flush();
    expect(batches).toHaveLength(1);
    recorder.record('busy', new Date(start + MINUTE), null);
    await recorder.flush();
    expect(batches[1]).toEqual([{ id: 'busy', at: new Date(start + MINUTE) }]);
  });

  it('shows the queued value before it is written', () => {
    const { recorder } = setUp();
    const at = new Date('2026-01-01T00:00:00Z');
    expect(recorder.record('t', at, null)).toEqual(at);
    expect(recorder.latest('t', null)).toEqual(at);
    expect(recorder.latest('t', new Date(at.getTime() + 1))).toEqual(new Date(at.getTime() + 1));
  });

  it('does not write when the stored value is recent', async () => {
    const { recorder, batches } = setUp();
    const stored = new Date('2026-01-01T00:00:00Z');
    expect(recorder.record('t', new Date(stored.getTime() + 1000), stored)).toEqual(stored);
    await recorder.flush();
    expect(batches).toEqual([]);
  });
});
