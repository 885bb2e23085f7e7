import { createScopeRegistry } from '../../src/scopes/registry.js';

describe('scope registry', () => {
  const registry = createScopeRegistry({
    'notes:read': 'Read notes',
    'notes:write': { description: 'Write notes', implies: ['notes:read'] },
    'notes:admin': { description: 'Administer notes', implies: ['notes:write'] },
    'a:x': { description: 'cycle one', implies: ['a:y'] },
    'a:y': { description: 'cycle two', implies: ['a:x'] },
  });

  it('expands implies transitively', () => {
    expect([...registry.expand(['notes:admin'])].sort()).toEqual(['notes:admin', 'notes:read', 'notes:write']);
    expect([...registry.expand(['notes:read'])]).toEqual(['notes:read']);
  });

  it('terminates on cycles', () => {
    expect([...registry.expand(['a:x'])].sort()).toEqual(['a:x', 'a:y']);
  });

  it('drops scopes that are no longer registered', () => {
    expect([...registry.expand(['gone:scope', 'notes:read'])]).toEqual(['notes:read']);
  });

  it('lists scopes with their direct implies', () => {
    expect(registry.list[1]).toEqual({ name: 'notes:write', description: 'Write notes', implies: ['notes:read'] });
  });

  it.each([
    ['an implies of an unknown scope', { 'x:y': { description: 'x', implies: ['nope'] } }, /implies "nope"/],
    ['a malformed name', { 'bad name': 'x' }, /not allowed/],
    ['a missing description', { 'x:y': '' }, /needs a description/],
    ['no scopes', {}, /at least one/],
  ])('throws a TypeError for %s', (_name, definitions, message) => {
    expect(() => createScopeRegistry(definitions)).toThrow(TypeError);
    expect(() => createScopeRegistry(definitions)).toThrow(message);
  });
});
