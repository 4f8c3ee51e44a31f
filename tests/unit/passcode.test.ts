import { describe, expect, it } from 'vitest';
import { passcodeMatches } from '../../src/auth/passcode.js';

describe('passcodeMatches', () => {
  it.each([
    ['correct-horse', 'correct-horse', true],
    ['correct-horse', 'correct-hors', false],
    ['correct-horse', 'Correct-horse', false],
    ['correct-horse', '', false],
    ['correct-horse', 'correct-horse-battery-staple-and-much-longer', false],
    ['pässcode', 'pässcode', true],
  ])('%s vs %s: %s', (expected, given, result) => {
    expect(passcodeMatches(expected, given)).toBe(result);
  });
});
