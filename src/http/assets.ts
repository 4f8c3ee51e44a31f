import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PUBLIC_DIR } from '../core/paths.js';

/** Logical asset name ("app.css") -> fingerprinted file name ("app.1a2b3c4d.css"). */
const assetManifestSchema = z.record(z.string(), z.string());
export type AssetManifest = z.infer<typeof assetManifestSchema>;

export const ASSETS_URL = '/static';
export const MANIFEST_FILE = path.join(PUBLIC_DIR, 'manifest.json');

export function loadManifest(file = MANIFEST_FILE): AssetManifest {
  try {
    return assetManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`No asset manifest at ${file}: run "npm run build" first`, { cause: err });
  }
}

export function assetUrl(manifest: AssetManifest, name: string): string {
  const file = manifest[name];
  if (!file) throw new Error(`Unknown asset "${name}"; is it in static/ and was the build run?`);
  return `${ASSETS_URL}/${file}`;
}
