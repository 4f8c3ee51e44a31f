import { z } from 'zod';
import { DEADWOOD_MESSAGE, MAX_DEADWOOD, OUTCOMES } from '../scoring/rules.js';
import { PRESET_NAMES, RANKS, SUITS } from '../scoring/game.js';
import { blankToUndefined, idempotencyToken, optionalWholeNumber, recordId, side, wholeNumber } from '../core/schemas.js';

export const gameStartSchema = z.object({
  playerA: recordId('Choose the first player.'),
  playerB: recordId('Choose the second player.'),
  firstDealer: z.enum(['a', 'b'], { error: 'Choose who deals first.' }),
  preset: z.enum(PRESET_NAMES, { error: 'Choose the rules you play by.' }),
  token: idempotencyToken,
});

const KNOCK_LIMIT_MESSAGE = 'Knock limit: a whole number from 0 to 10.';

const points = (label: string) => wholeNumber(0, 1000, `${label}: a whole number from 0 to 1000.`);

export const gameRulesSchema = z.object({
  ginBonus: points('Gin bonus'),
  bigGinBonus: blankToUndefined.pipe(points('Big gin bonus').optional()).transform((v) => v ?? null),
  undercutBonus: points('Undercut bonus'),
  lineBonus: points('Line bonus'),
  gameBonus: points('Game bonus'),
  target: wholeNumber(1, 1000, 'Target: a whole number from 1 to 1000.'),
  // Absent under Oklahoma rules, where the upcard sets the knock limit of each hand.
  knockLimit: blankToUndefined.pipe(wholeNumber(0, 10, KNOCK_LIMIT_MESSAGE).optional()),
});

const COUNT_MESSAGE = `Enter a deadwood count from 0 to ${MAX_DEADWOOD}.`;

export const gameHandSchema = z.object({
  outcome: z.enum(OUTCOMES, { error: 'Choose how the hand ended.' }),
  winner: side('Choose who won the hand.'),
  deadwoodA: optionalWholeNumber(0, MAX_DEADWOOD, COUNT_MESSAGE),
  deadwoodB: optionalWholeNumber(0, MAX_DEADWOOD, COUNT_MESSAGE),
  deadwood: optionalWholeNumber(0, MAX_DEADWOOD, DEADWOOD_MESSAGE),
  upcardRank: blankToUndefined.pipe(z.enum(RANKS, { error: 'Choose the upcard.' }).optional()),
  upcardSuit: blankToUndefined.pipe(z.enum(SUITS, { error: 'Choose the upcard.' }).optional()),
  token: idempotencyToken,
});

export type GameHandInput = z.infer<typeof gameHandSchema>;
