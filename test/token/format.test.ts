import fc from 'fast-check';
import { BASE62_ALPHABET, encodeBase62, randomBase62 } from '../../src/token/base62.js';
import { digestsMatch, digestToken } from '../../src/token/digest.js';
import {
  CHECKSUM_LENGTH,
  generateToken,
  hintOf,
  isWellFormedToken,
  RANDOM_LENGTH,
  tokenLength,
  tokenPattern,
} from '../../src/token/format.js';

const prefixes = fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/);

describe('token format', () => {
  it('generates <prefix>_<32 random base62><6 base62 checksum> tokens', () => {
    const token = generateToken('pat');
    expect(token).toMatch(/^pat_[0-9A-Za-z]{38}$/);
    expect(token).toHaveLength(tokenLength('pat'));
    expect(RANDOM_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(190);
  });

  it('accepts every token it generates, for any valid prefix (round-trip)', () => {
    fc.assert(
      fc.property(prefixes, (prefix) => isWellFormedToken(prefix, generateToken(prefix))),
      { numRuns: 500 },
    );
  });

  it('rejects any single-character change, so typos never reach the database', () => {
    fc.assert(
      fc.property(
        prefixes,
        fc.nat(),
        fc.constantFrom(...BASE62_ALPHABET),
        (prefix, position, replacement) => {
          const token = generateToken(prefix);
          const index = prefix.length + 1 + (position % (RANDOM_LENGTH + CHECKSUM_LENGTH));
          fc.pre(token[index] !== replacement);
          const changed = token.slice(0, index) + replacement + token.slice(index + 1);
          return !isWellFormedToken(prefix, changed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['another prefix', (t: string) => `gat${t.slice(3)}`],
    ['one character short', (t: string) => t.slice(0, -1)],
    ['one character long', (t: string) => `${t}0`],
    ['a character outside base62', (t: string) => `${t.slice(0, 10)}-${t.slice(11)}`],
    ['no underscore', (t: string) => `pat-${t.slice(4)}`],
    ['upper-cased prefix', (t: string) => `PAT${t.slice(3)}`],
  ])('rejects a token with %s', (_name, mutate) => {
    expect(isWellFormedToken('pat', mutate(generateToken('pat')))).toBe(false);
  });

  it('draws random characters evenly from the whole alphabet', () => {
    const counts = new Map<string, number>();
    for (const char of randomBase62(62_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
  });

  it('encodes the largest CRC32 in six base62 characters', () => {
    expect(encodeBase62(0xffffffff, CHECKSUM_LENGTH)).toHaveLength(CHECKSUM_LENGTH);
    expect(encodeBase62(0, CHECKSUM_LENGTH)).toBe('000000');
  });

  it('shows only the prefix and four characters in the hint', () => {
    const token = generateToken('pat');
    expect(hintOf('pat', token)).toBe(token.slice(0, 8));
  });

  it('finds tokens in text with the exported pattern', () => {
    const token = generateToken('pat');
    const text = `leaked: ${token}, and not pat_short`;
    expect(text.match(tokenPattern('pat'))).toEqual([token]);
  });
});

describe('token digest', () => {
  it('is a keyed HMAC: the same token under another pepper has another digest', () => {
    const token = generateToken('pat');
    expect(digestToken('pepper-one-pepper-one-pepper-one!', token)).not.toBe(
      digestToken('pepper-two-pepper-two-pepper-two!', token),
    );
    expect(digestToken('pepper-one-pepper-one-pepper-one!', token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('compares digests exactly', () => {
    const digest = digestToken('p'.repeat(32), 'pat_x');
    expect(digestsMatch(digest, digest)).toBe(true);
    expect(digestsMatch(digest, `${digest.slice(0, -1)}A`)).toBe(digest.endsWith('A'));
    expect(digestsMatch(digest, digest.slice(1))).toBe(false);
  });
});
