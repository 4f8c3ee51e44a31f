import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NAME_MAX, playerNameCheck, playerNameKey } from '../../src/core/names.js';

const stored = (raw: string) => {
  const r = playerNameCheck(raw);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(raw)}: ${r.message}`);
  return r.name;
};
const refusal = (raw: string) => {
  const r = playerNameCheck(raw);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(raw)} as ${JSON.stringify(r.name)}`);
  return r.message;
};

describe('the stored form of a name', () => {
  it.each([
    ['Alice', 'Alice'],
    ['  Alice  ', 'Alice'],
    ['Mary   Ann', 'Mary Ann'],
    ['Mary\tAnn', 'Mary Ann'],
    ['Mary\u00A0Ann', 'Mary Ann'], // no-break space
    ['Mary\u3000Ann', 'Mary Ann'], // ideographic space
    ['\u2003Jo\u2009Jo\u2003', 'Jo Jo'], // em space, thin space
    ['Zoe\u0301', 'Zoé'], // combining acute composed (NFC)
    ['Ame\u0301lie', 'Amélie'],
    ['Ｂｏｂ', 'Ｂｏｂ'], // kept as typed: only the key folds width
    ['Łukasz', 'Łukasz'],
    ['Ἀριστοτέλης', 'Ἀριστοτέλης'],
    ['Дмитрий', 'Дмитрий'],
    ['김민준', '김민준'],
    ['\u1100\u1161\u11A8', '각'], // conjoining jamo compose to one syllable
    ['佐藤 花子', '佐藤 花子'],
    ['محمد', 'محمد'], // right-to-left script, no override characters
    ['שׂרה', 'שׂרה'],
    ['देवनागरी', 'देवनागरी'],
    ['O\u2019Brien', 'O\u2019Brien'],
    ['=HYPERLINK("x")', '=HYPERLINK("x")'], // neutralised on export, not refused
    ['🂡 Ace', '🂡 Ace'],
  ])('%j is stored as %j', (raw, expected) => {
    expect(stored(raw)).toBe(expected);
  });

  it('counts characters, not UTF-16 units: 40 emoji are allowed, 41 are not', () => {
    expect(stored('🂡'.repeat(NAME_MAX))).toHaveLength(80);
    expect(refusal('🂡'.repeat(NAME_MAX + 1))).toMatch(/at most 40 characters; this one has 41/);
  });

  it('counts after trimming and composing', () => {
    expect(stored(`  ${'e\u0301'.repeat(40)}  `)).toBe('é'.repeat(40));
    expect(refusal('x'.repeat(41))).toMatch(/at most 40 characters/);
  });
});

describe('names that are refused', () => {
  it.each([
    ['', /Enter a name/],
    ['   ', /Enter a name/],
    ['\u3000\u00A0', /Enter a name/],
    ['Al\u0000ice', /control characters \(U\+0000\)/],
    ['Bell\u0007', /control characters \(U\+0007\)/],
    ['Del\u007F', /control characters/],
    ['C1\u0085x', /./], // NEL is whitespace: collapsed, so this one is accepted? checked below
    ['Bob\u200B', /invisible formatting characters.*U\+200B/], // zero-width space
    ['Bo\u200Cb', /U\+200C/], // zero-width non-joiner
    ['Bo\u200Db', /U\+200D/], // zero-width joiner
    ['\uFEFFBob', /U\+FEFF/], // byte order mark
    ['Bob\u2060', /U\+2060/], // word joiner
    ['\u202EboB', /U\+202E/], // right-to-left override
    ['\u202Dx', /U\+202D/], // left-to-right override
    ['\u2067Bob\u2069', /U\+2067/], // right-to-left isolate
    ['Bob\u200F', /U\+200F/], // right-to-left mark
    ['Bob\u00AD', /U\+00AD/], // soft hyphen
    ['Bob\u061C', /U\+061C/], // Arabic letter mark
    ['Bob\uE000', /private-use characters \(U\+E000\)/],
    ['Bob\u{F0000}', /private-use/],
    ['Bob\uD800', /broken characters/], // lone surrogate
    ['Bob\uFFFD', /unreadable/],
    ['\u0301Bob', /cannot start with an accent/],
    ['Z\u0300\u0301\u0302\u0303\u0304algo', /at most 4 accents/],
  ].filter(([raw]) => raw !== 'C1\u0085x'))('%j is refused', (raw, message) => {
    expect(refusal(raw as string)).toMatch(message);
  });

  it('treats next-line (U+0085) as whitespace', () => {
    expect(stored('C1\u0085x')).toBe('C1 x');
  });
});

describe('the identity key', () => {
  const same = [
    ['Bob', 'bob', 'BOB', 'Ｂｏｂ', 'ｂｏｂ', ' Bob ', 'B o b'.replace(/ /g, '')],
    ['Olivier', 'olivier', 'ｏｌｉｖｉｅｒ', 'OLIVIER'],
    ['Zoé', 'Zoe\u0301', 'ZOÉ', 'zoé'],
    ['Strauß', 'STRAUSS', 'strauss', 'STRAUẞ'],
    ['Σίσυφος', 'ΣΊΣΥΦΟΣ', 'σίσυφοσ'],
    ['Kelvin', '\u212Aelvin'], // Kelvin sign
    ['fina', '\uFB01na'], // ligature
    ['Anna 2', 'Anna ２', 'Anna\u3000２'],
    ['Ⓑob', 'bob'],
    ['ﾊﾅｺ', 'ハナコ'], // half-width katakana
    ['Дмитрий', 'ДМИТРИЙ'],
  ];
  it.each(same)('folds %j and its look-alikes to one key', (...names) => {
    const keys = new Set(names.map((n) => playerNameKey(stored(n))));
    expect(keys.size).toBe(1);
  });

  it.each([
    ['Bob', 'Rob'],
    ['Zoé', 'Zoe'], // accents are letters, not look-alikes
    ['Anna', 'Ana'],
    ['Bob', 'Bob 2'],
    ['Ivan', 'Іван'],
    ['花子', '華子'],
  ])('keeps %j and %j apart', (a, b) => {
    expect(playerNameKey(stored(a))).not.toBe(playerNameKey(stored(b)));
  });

  it('is stable: the key of a key is itself, and the stored form is a fixed point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (raw) => {
        const r = playerNameCheck(raw);
        if (!r.ok) return;
        expect(playerNameKey(r.key)).toBe(r.key);
        const again = playerNameCheck(r.name);
        expect(again).toEqual(r);
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts an invisible or control character, whatever surrounds it', () => {
    const invisible = fc.constantFrom('\u0000', '\u0007', '\u200B', '\u200D', '\u202E', '\u2066', '\uFEFF', '\u00AD', '\uE000');
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), invisible, fc.string({ maxLength: 10 }), (before, ch, after) => {
        expect(playerNameCheck(`${before}${ch}${after}`).ok).toBe(false);
      }),
    );
  });
});
