// Is the build in dist/ and public/ current? A hash of everything the build reads, written
// by bin/post_compile after a build, so that a second build of the same sources (Heroku CI's
// test-setup after heroku-postbuild, the tests' global setup, `npm start`) can be skipped.
//   node bin/build-stamp.mjs check   exit 0 when the build is present and current, else 1
//   node bin/build-stamp.mjs write   record the current sources as built
// Plain JavaScript, so it runs before TypeScript is compiled, on any Node from 20.12.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'migrations', 'scripts', 'static', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'bin/post_compile'];
const OUTPUTS = ['dist/src/server.js', 'public/manifest.json'];

function files(entry) {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

export function sourcesHash() {
  const hash = crypto.createHash('sha256');
  for (const file of INPUTS.flatMap(files).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(ROOT, file)));
  }
  return hash.digest('hex');
}

export function buildIsCurrent() {
  if (!OUTPUTS.every((f) => fs.existsSync(path.join(ROOT, f)))) return false;
  return fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === sourcesHash();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (command === 'check') process.exit(buildIsCurrent() ? 0 : 1);
  else if (command === 'write') fs.writeFileSync(STAMP, `${sourcesHash()}\n`);
  else {
    console.error('usage: node bin/build-stamp.mjs check|write');
    process.exit(2);
  }
}
