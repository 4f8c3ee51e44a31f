import express from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { actorOf, requireMember } from '../http/members.js';
import { buttonPost, formPost } from '../http/forms.js';
import { ApplicationError } from '../core/errors.js';
import { NotFoundError } from '../core/errors.js';
import { isRecord, recordId } from '../core/schemas.js';
import { readHandsCsv, type ImportRow, type RepeatChoice } from './csv.js';
import { handsImport, handsImportUndo } from './services.js';
import { leagueRestore } from './restore.js';
import { gamesCsvGet, handsCsvGet, handsImportPreview, leagueBackupGet } from './selectors.js';

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

const commitSchema = z.object({
  csv: z.string().min(1, { error: 'The file to import is missing; upload it again.' }),
  repeats: z.enum(['once', 'each'], { error: 'Choose what to do with the repeated rows.' }).optional(),
});

/** The uploaded backup, read as JSON; a file that is not one is refused like a broken rule. */
function backupJson(req: express.Request): unknown {
  const file = fileText(req);
  if ('error' in file) throw new ApplicationError(file.error);
  try {
    return JSON.parse(file.text);
  } catch {
    throw new ApplicationError('That file is not a JSON backup.');
  }
}

/** The repeats choice as sent, when it is one. */
const repeatChoice = (value: string | undefined): RepeatChoice | null => (value === 'once' || value === 'each' ? value : null);

function importedMessage(result: Awaited<ReturnType<typeof handsImport>>): string {
  const notes = [
    result.alreadyThere ? `${result.alreadyThere} were already there` : '',
    result.repeatsSkipped ? `${result.repeatsSkipped} repeated rows skipped` : '',
  ].filter(Boolean);
  const added = result.playersAdded.length ? `; added ${result.playersAdded.join(', ')}` : '';
  return `Imported ${result.imported} hands${notes.length ? ` (${notes.join('; ')})` : ''}${added}.${result.importId ? ' It can be undone from the activity page.' : ''}`;
}

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

  /** The dry run: every row with its errors, or with what importing it would do. */
  const renderPreview = async (res: express.Response, status: number, rows: ImportRow[], csv: string, extra: { csvError?: string; choice?: RepeatChoice | null } = {}) => {
    const bad = rows.filter((r) => r.errors.length).length;
    const plan = bad ? null : await handsImportPreview({ db, rows, timeZone, choice: extra.choice ?? null });
    renderPage(res, bad ? 422 : status, { csvError: extra.csvError, preview: { rows, bad, csv, plan, choice: extra.choice ?? null } });
  };

  router.post('/import/hands', uploads, async (req, res) => {
    const file = fileText(req);
    if ('error' in file) return renderPage(res, 422, { csvError: file.error });
    const read = readHandsCsv(file.text, rules);
    if (!read.ok) return renderPage(res, 422, { csvError: read.message });
    await renderPreview(res, 200, read.rows, file.text);
  });

  router.post(COMMIT_PATH, commitBody, (req, res) => {
    const body: unknown = req.body;
    const csv = isRecord(body) && typeof body.csv === 'string' ? body.csv : '';
    const read = csv ? readHandsCsv(csv, rules) : null;
    return formPost(req, res, {
      schema: commitSchema,
      render: (status, { values, message }) =>
        read?.ok ? renderPreview(res, status, read.rows, csv, { csvError: message, choice: repeatChoice(values.repeats) }) : renderPage(res, status, { csvError: message }),
      save: ({ repeats }) => {
        if (!read?.ok) throw new ApplicationError(read?.message ?? 'The file to import is missing; upload it again.');
        return handsImport({ db, rows: read.rows, rules, timeZone, choice: repeats ?? null, actorId: actorOf(res), elo: config.elo });
      },
      saved: (result) => ({ redirect: '/', flash: importedMessage(result) }),
    });
  });

  router.post('/imports/:id/undo', (req, res) => {
    const id = recordId('No such import.').safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('No such import');
    return buttonPost(req, res, {
      back: '/activity',
      run: () => handsImportUndo({ db, importId: id.data, actorId: actorOf(res), elo: config.elo }),
      done: ({ voided }) => `Import undone: ${voided} hands taken back.`,
    });
  });

  router.post('/import/backup', uploads, (req, res) =>
    formPost(req, res, {
      schema: z.unknown(),
      render: (status, { message }) => renderPage(res, status, { backupError: message }),
      save: () => leagueRestore({ db, json: backupJson(req), elo: config.elo }),
      saved: (result) => ({ redirect: '/', flash: `Restored ${result.players} players, ${result.games} games and ${result.hands} hands.` }),
    }),
  );

  return router;
}
