import { describe, expect, it } from 'vitest';
import { databaseOutage } from '../../src/http/errors.js';

const error = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

describe('databaseOutage', () => {
  it.each([
    ['the pool could not connect', error('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }), 'no'],
    ['no free connection in time', error('Knex: Timeout acquiring a connection. The pool is probably full.', { name: 'KnexTimeoutError' }), 'no'],
    ['the server is starting', error('the database system is starting up', { code: '57P03' }), 'no'],
    ['too many connections', error('sorry, too many clients already', { code: '53300' }), 'no'],
    ['a connection lost inside a transaction', error('ROLLBACK - Client has encountered a connection error and is not queryable'), 'no'],
    ['a statement on a broken client', error('insert into "hands" ... - Client has encountered a connection error and is not queryable'), 'no'],
    ['a closed client', error('select 1 - Client was closed and is not queryable'), 'no'],
    ['the embedded database closed', error('PGlite is closed'), 'no'],
    ['both addresses refused', Object.assign(new AggregateError([error('connect ECONNREFUSED ::1:5432', { code: 'ECONNREFUSED' })], ''), {}), 'no'],
    ['wrapped in a cause', error('could not record the hand', { cause: error('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) }), 'no'],
    ['the connection broke during a statement', error('insert into "hands" ... - Connection terminated unexpectedly'), 'unknown'],
    ['the connection broke during COMMIT', error('COMMIT - Connection terminated unexpectedly'), 'unknown'],
    ['an administrator ended the connection', error('terminating connection due to administrator command', { code: '57P01' }), 'unknown'],
    ['a reset socket', error('read ECONNRESET', { code: 'ECONNRESET' }), 'unknown'],
  ])('%s: 503, saved %s', (_name, err, saved) => {
    expect(databaseOutage(err)).toEqual({ saved });
  });

  it.each([
    ['a syntax error', error('syntax error at or near "selec"', { code: '42601' })],
    ['a unique violation', error('duplicate key value violates unique constraint', { code: '23505' })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', null],
  ])('%s is not an outage', (_name, err) => {
    expect(databaseOutage(err)).toBeNull();
  });
});
