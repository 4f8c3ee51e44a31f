import { describe, expect, it } from 'vitest';
import { handRulesColumns, rulesColumns, rulesOf } from '../../src/core/tables.js';
import { PRESET_NAMES, PRESETS } from '../../src/scoring/game.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';

describe('rule values and their columns', () => {
  it.each(PRESET_NAMES)('a %s rule set comes back from its columns unchanged', (preset) => {
    const rules = PRESETS[preset].rules;
    expect(rulesOf(rulesColumns(rules))).toEqual(rules);
  });

  it('names every column of the games table once', () => {
    expect(Object.keys(rulesColumns(PRESETS.pagat.rules)).sort()).toEqual(
      ['big_gin_bonus', 'game_bonus', 'gin_bonus', 'knock_limit', 'line_bonus', 'oklahoma', 'shutout_doubles', 'shutout_game_bonus', 'target', 'undercut_bonus'],
    );
  });

  it("stores a hand with its rules' four scoring values; no big gin is stored as 0", () => {
    expect(handRulesColumns(NORTH_AMERICAN)).toEqual({ gin_bonus: 25, big_gin_bonus: 31, undercut_bonus: 25, line_bonus: 25 });
    expect(handRulesColumns(PRESETS.pagat.rules)).toEqual({ gin_bonus: 20, big_gin_bonus: 0, undercut_bonus: 10, line_bonus: 20 });
  });
});
