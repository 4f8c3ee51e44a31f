import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import { isRecord } from '../../src/core/schemas.js';
import { buttonPost, formPost, newIdempotencyToken, type FormState } from '../../src/http/forms.js';
import { sessions } from '../../src/http/session.js';
import { playerCreateSchema } from '../../src/players/schemas.js';
import { playerCreate, playerRename } from '../../src/players/services.js';
import { useTestDb } from '../support/db.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();

/*
 * The form helpers on their own, in a bare Express app with the real session (for the
 * flash) and a real service over a real database. The page is a JSON echo of what the
 * helper asked to render; the error handler names the error it was given.
 */
function formApp() {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(sessions({ secretKey: 'forms-test-secret-key-forms-test-secret-key', secure: false }));
  const renders: { status: number; form: FormState }[] = [];
  const render = (res: express.Response) => (status: number, form: FormState) => {
    renders.push({ status, form });
    res.status(status).json(form);
  };

  app.post('/players', (req, res) =>
    formPost(req, res, {
      schema: playerCreateSchema,
      withhold: ['secret'],
      render: render(res),
      save: (input) => playerCreate({ db: t.db, name: input.name, idempotencyKey: input.token }),
      saved: (player) => ({ redirect: `/players#${player.id}`, flash: [`Added ${player.name}.`, { kind: 'info', text: 'Welcome.' }] }),
    }),
  );
  // A failure that is not a broken rule: a query the database cannot run.
  app.post('/broken', (req, res) =>
    formPost(req, res, {
      schema: z.object({ name: z.string() }),
      render: render(res),
      save: () => t.db.raw('select * from no_such_table'),
      saved: () => ({ redirect: '/', flash: 'never' }),
    }),
  );
  // A refusal answered with a page of its own (as the scorepad's "game over" is).
  app.post('/conflict', (req, res) =>
    formPost(req, res, {
      schema: z.object({}),
      render: render(res),
      save: () => Promise.reject(new ApplicationError('Over.', { fields: { x: 'y' } })),
      saved: () => ({ redirect: '/' }),
      refused: (err) => {
        res.status(409).json({ notice: err.message });
        return Promise.resolve();
      },
    }),
  );
  app.post('/players/:id/rename', (req, res) =>
    buttonPost(req, res, {
      back: '/activity',
      run: () => {
        const body: unknown = req.body;
        return playerRename({ db: t.db, id: Number(req.params.id), name: String(isRecord(body) ? body.name : undefined) });
      },
      done: (player) => `Renamed to ${player.name}.`,
    }),
  );
  app.get('/flash', (req, res) => {
    res.json(req.session?.flash ?? []);
  });
  const caught: unknown[] = [];
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    caught.push(err);
    res.status(500).json({ handled: true });
  });
  return { app, renders, caught };
}

/** What the test's render answers a refused form with. */
const refusal = z.object({ values: z.record(z.string(), z.unknown()), errors: z.record(z.string(), z.string()), message: z.string() });

const playerNames = async () => (await t.db('players').orderBy('id').select('name')).map((r) => r.name);

describe('formPost', () => {
  it('answers a schema failure with 422, the values as typed (never a withheld field, never the CSRF token) and a message per field; nothing is saved', async () => {
    const { app, renders, caught } = formApp();
    const agent = request.agent(app);
    const res = await agent.post('/players').type('form').send({ name: '   ', token: newIdempotencyToken(), secret: 'hunter2', _csrf: 'abc' }).expect(422);
    const body = refusal.parse(res.body);
    const anyToken: unknown = expect.any(String);
    const enterAName: unknown = expect.stringMatching(/Enter a name/);
    expect(body.values).toEqual({ name: '   ', token: anyToken });
    expect(body.errors).toEqual({ name: enterAName });
    expect(body.message).toBe(body.errors.name);
    expect(renders.map((r) => r.status)).toEqual([422]);
    expect(caught).toEqual([]);
    expect(await playerNames()).toEqual([]);
    expect((await agent.get('/flash')).body).toEqual([]);
  });

  it("answers a service's ApplicationError with 422, the values kept and the rule's message beside its field; the database unchanged", async () => {
    await makePlayer(t.db, 'Alice');
    const { app, caught } = formApp();
    const agent = request.agent(app);
    const res = await agent.post('/players').type('form').send({ name: 'ALICE', token: newIdempotencyToken() }).expect(422);
    const body = refusal.parse(res.body);
    expect(body.values.name).toBe('ALICE');
    expect(body.errors.name).toMatch(/already a player called Alice\./);
    expect(body.message).toMatch(/Alice/);
    expect(caught).toEqual([]);
    expect(await playerNames()).toEqual(['Alice']);
    expect((await agent.get('/flash')).body).toEqual([]);
  });

  it('on success redirects (303) to where the result says, with its flash messages, and saves once', async () => {
    const { app, renders } = formApp();
    const agent = request.agent(app);
    const res = await agent.post('/players').type('form').send({ name: ' Bob ', token: newIdempotencyToken() }).expect(303);
    const [bob] = await t.db('players').select('id', 'name');
    expect(bob?.name).toBe('Bob');
    expect(res.headers.location).toBe(`/players#${bob?.id}`);
    expect(renders).toEqual([]);
    expect((await agent.get('/flash')).body).toEqual([
      { kind: 'success', text: 'Added Bob.' },
      { kind: 'info', text: 'Welcome.' },
    ]);
  });

  it('passes any other error to the error handler: no re-render, no flash', async () => {
    const { app, renders, caught } = formApp();
    const agent = request.agent(app);
    await agent.post('/broken').type('form').send({ name: 'x' }).expect(500, { handled: true });
    expect(renders).toEqual([]);
    expect(caught).toHaveLength(1);
    expect(caught[0]).not.toBeInstanceOf(ApplicationError);
    expect(String(caught[0])).toMatch(/no_such_table/);
    expect((await agent.get('/flash')).body).toEqual([]);
  });

  it('lets a refusal be answered otherwise than by the re-render', async () => {
    const { app, renders } = formApp();
    await request(app).post('/conflict').type('form').send({}).expect(409, { notice: 'Over.' });
    expect(renders).toEqual([]);
  });
});

describe('buttonPost', () => {
  it('does it, says so (info) and goes back', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const { app } = formApp();
    const agent = request.agent(app);
    const res = await agent.post(`/players/${alice.id}/rename`).type('form').send({ name: 'Alicia' }).expect(303);
    expect(res.headers.location).toBe('/activity');
    expect(await playerNames()).toEqual(['Alicia']);
    expect((await agent.get('/flash')).body).toEqual([{ kind: 'info', text: 'Renamed to Alicia.' }]);
  });

  it('says why not (danger) and goes back on an ApplicationError; the database unchanged', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { app, caught } = formApp();
    const agent = request.agent(app);
    await agent.post(`/players/${alice.id}/rename`).type('form').send({ name: 'bob' }).expect(303);
    expect(caught).toEqual([]);
    expect(await playerNames()).toEqual(['Alice', 'Bob']);
    const [message] = (await agent.get('/flash')).body as { kind: string; text: string }[];
    expect(message?.kind).toBe('danger');
    expect(message?.text).toMatch(/Bob/);
  });

  it('passes any other error to the error handler', async () => {
    const { app, caught } = formApp();
    const agent = request.agent(app);
    // No such player: the service's NotFoundError is not a broken rule.
    await agent.post('/players/999999/rename').type('form').send({ name: 'Zed' }).expect(500);
    expect(caught).toHaveLength(1);
    expect(caught[0]).not.toBeInstanceOf(ApplicationError);
    expect((await agent.get('/flash')).body).toEqual([]);
  });
});
