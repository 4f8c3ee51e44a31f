import { describe, expect, it } from 'vitest';
import { read } from './files.js';

describe('.env.example', () => {
  it('lists every variable the configuration reads, each with a line saying what it means', () => {
    const config = read('src/config.ts');
    const schema = config.slice(config.indexOf('const envSchema'), config.indexOf('.superRefine'));
    const variables = [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
    expect(variables.length).toBeGreaterThan(15);
    const example = read('.env.example');
    for (const name of [...variables, 'SEED_DEMO']) {
      const line = new RegExp(`^# ${name}=|^${name}=`, 'm').exec(example);
      expect(line, `${name} in .env.example`).not.toBeNull();
      // The comment above the variable (or the group above it) explains it.
      const before = example.slice(0, line?.index ?? 0).trimEnd().split('\n').pop() ?? '';
      expect(before, `${name} is explained`).toMatch(/^# \S/);
    }
  });

  it('is never read by the app itself, only .env is (and .env is ignored by git and Docker)', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });
});
