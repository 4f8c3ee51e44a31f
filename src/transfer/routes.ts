import express from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { actorOf, requireMember } from '../http/members.js';
import { flash } from '../http/session.js';
import { ApplicationError } from '../core/errors.js';
import { readHandsCsv } from './csv.js';
import { handsImport, leagueRestore } from './services.js';
import { gamesCsvGet, handsCsvGet, leagueBackupGet } from './selectors.js';

export const MAX_UPLOAD_BYTES = 1024 * 1024;

/*
 * One file, 1 MB at most, kept in memory. These bodies are parsed here, in the route,
 * after the session, CSRF (token in the form's action URL) and member checks have passed:
 * app.ts leaves them unread until then.
 */
const uploads = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } }).single('file');
/** The preview sends the whole CSV back to be committed: a larger form body on that route only. */
const COMMIT_PATH = '/import/hands/commit';
const commitBody = express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 5 });
/** Routes whose bodies app.ts must leave for the route to parse. */
export const LARGE_BODY_PATHS = new Set(['/import/hands', '/import/backup', COMMIT_PATH]);

const commitSchema = z.object({ csv: z.string().min(1, { error: 'The file to import is missing; upload it again.' }) });

function fileText(req: express.Request): { text: string } | { error: string } {
  const file = req.file;
  if (!file || file.size === 0) return { error: 'Choose a file to upload.' };
  const text = file.buffer.toString('utf8');
  if (text.includes('\uFFFD')) return { error: 'That file is not text in UTF-8; save it as CSV (UTF-8) and try again.' };
  return { text };
}

export function transferRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();
  const { timeZone, rules } = config.league;

  const renderPage = (res: express.Response, status: number, locals: Record<string, unknown> = {}) =>
    res.status(status).render('transfer/index.njk', locals);

  router.get('/export', (_req, res) => renderPage(res, 200));

  const download = (res: express.Response, type: string, name: string, body: string) => {
    const day = new Date().toISOString().slice(0, 10);
    res.set('Content-Type', type).set('Content-Disposition', `attachment; filename="${name.replace('{day}', day)}"`).send(body);
  };
  router.get('/export/hands.csv', async (_req, res) => download(res, 'text/csv; charset=utf-8', 'hands-{day}.csv', await handsCsvGet({ db, timeZone })));
  router.get('/export/games.csv', async (_req, res) => download(res, 'text/csv; charset=utf-8', 'games-{day}.csv', await gamesCsvGet({ db, timeZone })));
  router.get('/export/league.json', async (_req, res) =>
    download(res, 'application/json; charset=utf-8', 'league-backup-{day}.json', JSON.stringify(await leagueBackupGet({ db }), null, 1)),
  );

  router.get('/import', requireMember, (_req, res) => res.redirect(303, '/export'));

  router.post('/import/hands', uploads, async (req, res) => {
    const file = fileText(req);
    if ('error' in file) return renderPage(res, 422, { csvError: file.error });
    const read = readHandsCsv(file.text, rules);
    if (!read.ok) return renderPage(res, 422, { csvError: read.message });
    const bad = read.rows.filter((r) => r.errors.length).length;
    renderPage(res, bad ? 422 : 200, { preview: { rows: read.rows, bad, csv: file.text } });
  });

  router.post(COMMIT_PATH, commitBody, async (req, res) => {
    const parsed = commitSchema.safeParse(req.body);
    if (!parsed.success) return renderPage(res, 422, { csvError: parsed.error.issues[0]?.message });
    const read = readHandsCsv(parsed.data.csv, rules);
    if (!read.ok) return renderPage(res, 422, { csvError: read.message });
    try {
      const result = await handsImport({ db, rows: read.rows, source: parsed.data.csv, rules, timeZone, actorId: actorOf(res), elo: config.elo });
      flash(
        req,
        'success',
        `Imported ${result.imported} hands${result.alreadyThere ? ` (${result.alreadyThere} were already there)` : ''}${result.playersAdded.length ? `; added ${result.playersAdded.join(', ')}` : ''}.`,
      );
      res.redirect(303, '/');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      renderPage(res, 422, { csvError: err.message, preview: { rows: read.rows, bad: read.rows.filter((r) => r.errors.length).length, csv: parsed.data.csv } });
    }
  });

  router.post('/import/backup', uploads, async (req, res) => {
    const file = fileText(req);
    if ('error' in file) return renderPage(res, 422, { backupError: file.error });
    let json: unknown;
    try {
      json = JSON.parse(file.text);
    } catch {
      return renderPage(res, 422, { backupError: 'That file is not a JSON backup.' });
    }
    try {
      const result = await leagueRestore({ db, json, elo: config.elo });
      flash(req, 'success', `Restored ${result.players} players, ${result.games} games and ${result.hands} hands.`);
      res.redirect(303, '/');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      renderPage(res, 422, { backupError: err.message });
    }
  });

  return router;
}
