import express from 'express';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/http/assets.js';
import { setUpViews } from '../../src/http/views.js';

const views = (strict: boolean) =>
  setUpViews(express(), { assets: loadManifest(), leagueName: 'League', timeZone: 'UTC', watch: false, showOpenBanner: false, strict });

describe('templates', () => {
  it('fail loudly in tests when they print an undefined or null value', () => {
    expect(() => views(true).renderString('<p>{{ player.nickname }}</p>', { player: { name: 'Alice' } })).toThrow(/undefined/);
    expect(() => views(true).renderString('<p>{{ rate }}%</p>', { rate: null })).toThrow(/null or undefined/);
  });

  it('print nothing for them elsewhere, as before', () => {
    expect(views(false).renderString('<p>{{ player.nickname }}</p>', { player: { name: 'Alice' } })).toBe('<p></p>');
  });

  it('the form macros print a blank for a field with no value', () => {
    const html = views(true).renderString("{% import 'macros/form.njk' as form %}{{ form.field('name', 'Name', {}, {}) }}", {});
    expect(html).toMatch(/name="name"\s+value=""/);
  });
});
