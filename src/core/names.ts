/*
 * The identity rule for player names: one pure module, used by the player form, rename,
 * sign-in as someone new, CSV import and backup restore.
 *
 * - Stored form: Unicode NFC, trimmed, every run of whitespace one ordinary space.
 * - Refused: empty; over 40 characters (code points, as Postgres counts varchar(40));
 *   control, format (zero-width, bidi overrides, soft hyphen…), private-use, lone
 *   surrogate or replacement characters; more than 4 combining marks on one letter.
 * - Identity: two names are the same person when their keys are equal; the key is NFKC
 *   with case folded ("Ｂｏｂ", "BOB", "bob" are one key), computed here and stored in
 *   players.name_key under a unique index.
 */

export const NAME_MAX = 40;
const MAX_MARKS = 4;

export type NameCheck = { ok: true; name: string; key: string } | { ok: false; message: string };

const WHITESPACE = /\p{White_Space}+/gu;
// Cc control, Cf format (ZWSP, ZWJ, LRM/RLM, LRO/RLO, BOM…), Co private use, Cs lone surrogates.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\uFFFD]/u;
const MARK_RUN = new RegExp(`\\p{M}{${MAX_MARKS + 1},}`, 'u');

const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '');

/** "U+200B", for messages that must name a character nobody can see. */
function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function describe(ch: string): string {
  if (ch === '\uFFFD') return 'unreadable characters';
  if (/\p{Cc}/u.test(ch)) return `control characters (${codePoint(ch)})`;
  if (/\p{Cf}/u.test(ch)) return `invisible formatting characters such as zero-width spaces or text-direction marks (${codePoint(ch)})`;
  if (/\p{Co}/u.test(ch)) return `private-use characters (${codePoint(ch)})`;
  return `broken characters (${codePoint(ch)})`;
}

/** NFC, trimmed, whitespace collapsed: the form a name is stored in (not yet checked). */
export function playerNameNormalise(raw: string): string {
  // Whitespace first, then NFC (NFC never creates whitespace, but can join across it).
  // (Not String.trim: it also removes U+FEFF, which must be refused, not hidden.)
  return trimSpaces(raw.replace(WHITESPACE, ' ')).normalize('NFC');
}

/**
 * The identity key: NFKC with case folded. JavaScript has no full case fold; upper then
 * lower case gives it for what names hold (ß → ss, ς → σ, K (Kelvin) → k), NFKC again
 * after because case mapping can leave a string unnormalised, until it holds still.
 */
export function playerNameKey(name: string): string {
  const fold = (s: string) => trimSpaces(s.normalize('NFKC').toUpperCase().toLowerCase().replace(/ς/g, 'σ').normalize('NFKC').replace(WHITESPACE, ' '));
  // Folding again until nothing changes: "ẞ" lowers to "ß", which folds on to "ss".
  let key = fold(name);
  for (let i = 0; i < 3; i++) {
    const again = fold(key);
    if (again === key) break;
    key = again;
  }
  return key;
}

/** Checks a typed name against the rule: the name as it will be stored and its key, or why not. */
export function playerNameCheck(raw: string): NameCheck {
  const name = playerNameNormalise(raw);
  if (name === '') return { ok: false, message: 'Enter a name.' };
  const bad = FORBIDDEN.exec(name);
  if (bad) return { ok: false, message: `A name cannot contain ${describe(bad[0])}.` };
  const length = [...name].length;
  if (length > NAME_MAX) return { ok: false, message: `A name can be at most ${NAME_MAX} characters; this one has ${length}.` };
  if (/^\p{M}/u.test(name)) return { ok: false, message: 'A name cannot start with an accent or mark on its own.' };
  if (MARK_RUN.test(name)) return { ok: false, message: `A name can have at most ${MAX_MARKS} accents or marks on one letter.` };
  return { ok: true, name, key: playerNameKey(name) };
}

/** The message for a look-alike, naming the existing player exactly as stored. */
export function nameTakenMessage(existing: string): string {
  return `There is already a player called ${existing}. Names count as the same when they differ only in case, width or accents written another way.`;
}
