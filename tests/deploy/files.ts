import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
export const readJson = <T = Record<string, unknown>>(file: string) => JSON.parse(read(file)) as T;

/** Procfile process types -> commands. */
export function procfile(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of read('Procfile').split('\n')) {
    const match = /^([a-z]+):\s*(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) out[match[1]] = match[2].trim();
  }
  return out;
}

/** The npm scripts a shell command runs (`npm run x`, `npm test`, `npm start`). */
export function npmScriptsIn(command: string): string[] {
  const names = [...command.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string);
  if (/\bnpm (test|t)\b/.test(command)) names.push('test');
  if (/\bnpm start\b/.test(command)) names.push('start');
  return names;
}
