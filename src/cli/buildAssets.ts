/*
 * The collectstatic step: compiles the Sass (Bulma modules we use, and ours), minifies the
 * pages' scripts, copies the other static files, gives every file a content hash in its
 * name, and writes the manifest the templates read. Run by bin/post_compile after
 * TypeScript is compiled.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import * as sass from 'sass';
import { transformSync } from 'esbuild';
import { MANIFEST_FILE, type AssetManifest } from '../http/assets.js';
import { PROJECT_ROOT, PUBLIC_DIR } from '../core/paths.js';

const STATIC_DIR = path.join(PROJECT_ROOT, 'static');
const OUT_DIR = path.join(PUBLIC_DIR, 'static');

function fingerprint(name: string, contents: Buffer | string): string {
  const hash = crypto.createHash('sha256').update(contents).digest('hex').slice(0, 10);
  const ext = path.extname(name);
  return `${name.slice(0, -ext.length)}.${hash}${ext}`;
}

/*
 * The pages' scripts (static/js) are written to be read, and sent minified: comments and
 * long names cost a phone about 40 % of their compressed bytes (offline.js 4.6 KB -> 2.9 KB
 * brotli). esbuild only rewrites the syntax; every string, and what the code does, stays
 * (the browser tests run these built files). No bundling, no newer-syntax lowering. The
 * service worker is sent as written: fetched once when it changes, and its rules are
 * easier to check in the browser's tools as they are in the source.
 */
function minifiedScript(source: string): string {
  return transformSync(source, { minify: true, legalComments: 'none' }).code;
}

export function buildAssets(): AssetManifest {
  fs.rmSync(PUBLIC_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const manifest: AssetManifest = {};
  const emit = (logical: string, contents: Buffer | string) => {
    const file = fingerprint(logical, contents);
    fs.mkdirSync(path.dirname(path.join(OUT_DIR, file)), { recursive: true });
    fs.writeFileSync(path.join(OUT_DIR, file), contents);
    // Compressed once here, at the highest settings, rather than on every request.
    if (/\.(css|js|svg|json|webmanifest)$/.test(file)) {
      const raw = Buffer.from(contents);
      fs.writeFileSync(path.join(OUT_DIR, `${file}.br`), zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
      fs.writeFileSync(path.join(OUT_DIR, `${file}.gz`), zlib.gzipSync(raw, { level: 9 }));
    }
    manifest[logical] = file;
  };

  const css = sass.compile(path.join(STATIC_DIR, 'styles', 'app.scss'), {
    loadPaths: [path.join(PROJECT_ROOT, 'node_modules')],
    style: 'compressed',
    silenceDeprecations: ['if-function'],
  }).css;
  emit('app.css', css);

  for (const entry of fs.readdirSync(STATIC_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const logical = path.relative(STATIC_DIR, full).split(path.sep).join('/');
    if (logical.startsWith('styles/')) continue;
    emit(logical, /^js\/.*\.js$/.test(logical) ? minifiedScript(fs.readFileSync(full, 'utf8')) : fs.readFileSync(full));
  }
  fs.writeFileSync(MANIFEST_FILE, JSON.stringify(manifest, null, 2));
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const manifest = buildAssets();
  for (const [logical, file] of Object.entries(manifest)) {
    const size = fs.statSync(path.join(OUT_DIR, file)).size;
    console.log(`${logical} -> static/${file} (${size} bytes)`);
  }
}
