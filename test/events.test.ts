import { createEvents } from '../src/events.js';

describe('lifecycle events', () => {
  it('removes a handler from exactly the event it is removed from', () => {
    const events = createEvents((error) => {
      throw error;
    });
    const seen: string[] = [];
    const audit = (payload: { tokenId: string }) => void seen.push(payload.tokenId);
    events.on('token.created', audit);
    events.on('token.revoked', audit);
    events.off('token.created', audit);
    events.emit('token.created', { tokenId: 'c', userId: 'u', name: 'n', scopes: [] });
    events.emit('token.revoked', { tokenId: 'r', userId: 'u', reason: 'user', at: new Date(0) });
    expect(seen).toEqual(['r']);
  });

  it('never lets a throwing handler reach the caller', () => {
    const reported: unknown[] = [];
    const events = createEvents((error) => void reported.push(error));
    events.on('token.revoked', () => {
      throw new Error('audit log down');
    });
    expect(() => events.emit('token.revoked', { tokenId: 'r', userId: 'u', reason: 'user', at: new Date(0) })).not.toThrow();
    expect(reported).toHaveLength(1);
  });
});
