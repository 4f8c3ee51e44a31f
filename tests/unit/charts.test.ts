import { describe, expect, it } from 'vitest';
import { lineChartSvg, sample } from '../../src/charts/svg.js';

describe('lineChartSvg', () => {
  it('draws a labelled, accessible line for each series', () => {
    const svg = lineChartSvg({
      title: 'Points of <Alice>',
      description: 'Cumulative points, 3 days',
      labels: ['2026-11-01', '2026-11-02', '2026-11-03'],
      series: [{ name: 'Alice', values: [0, 50, 100], className: 'chart-line-1' }],
    });
    expect(svg).toMatch(/^<svg class="chart" viewBox="0 0 600 260" role="img" aria-labelledby="(chart-[0-9a-f]{10})-title \1-desc"/);
    expect(svg).toContain('<title id="');
    expect(svg).toContain('Points of &lt;Alice&gt;');
    expect(svg).toContain('>Cumulative points, 3 days</desc>');
    expect(svg).toContain('<polyline class="chart-line chart-line-1" fill="none" points="48,232 318,123 588,14"/>');
    expect(svg).toContain('>2026-11-01</text>');
    expect(svg).toContain('>2026-11-03</text>');
    expect(svg).not.toContain('style=');
  });

  it('names a chart by what it draws: the same data gives the same bytes, other data another id', () => {
    const chart = (values: number[]) => ({ title: 'Lead', description: 'd', labels: ['a', 'b'], series: [{ name: 's', values, className: 'x' }] });
    const idOf = (svg: string) => /<title id="(chart-[0-9a-f]+)-title">/.exec(svg)?.[1];
    expect(lineChartSvg(chart([1, 2]))).toBe(lineChartSvg(chart([1, 2])));
    expect(idOf(lineChartSvg(chart([1, 2])))).toBeDefined();
    expect(idOf(lineChartSvg(chart([1, 2])))).not.toBe(idOf(lineChartSvg(chart([2, 1]))));
  });

  it('draws the zero line for a lead that swings', () => {
    const svg = lineChartSvg({ title: 't', description: 'd', labels: ['a', 'b'], series: [{ name: 'lead', values: [-10, 10], className: 'x' }], zeroLine: true });
    expect(svg).toContain('class="chart-zero"');
  });

  it('draws a single point as a dot with its value, not an empty frame', () => {
    const svg = lineChartSvg({ title: 't', description: 'd', labels: ['2026-11-25'], series: [{ name: 's', values: [37], className: 'chart-line-1' }] });
    expect(svg).toMatch(/<circle class="chart-point chart-line-1" cx="318" cy="[\d.]+" r="6"\/>/);
    expect(svg).toMatch(/<text class="chart-label chart-value"[^>]*>37<\/text>/);
    expect(svg).toContain('>2026-11-25</text>');
    expect(svg).not.toContain('No data');
  });

  it('says so when there is nothing to draw', () => {
    for (const series of [[], [{ name: 's', values: [], className: 'x' }]]) {
      const svg = lineChartSvg({ title: 't', description: 'd', labels: [], series });
      expect(svg).toContain('>No data yet</text>');
      expect(svg).not.toContain('<circle');
      expect(svg).toMatch(/<\/svg>$/);
    }
  });

  it('draws no dot for a line of several points', () => {
    expect(lineChartSvg({ title: 't', description: 'd', labels: ['a', 'b'], series: [{ name: 's', values: [1, 2], className: 'x' }] })).not.toContain('<circle');
  });
});

describe('sample', () => {
  it('keeps short series and thins long ones, keeping both ends', () => {
    expect(sample([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const long = Array.from({ length: 1000 }, (_, i) => i);
    const thin = sample(long, 60);
    expect(thin).toHaveLength(60);
    expect(thin[0]).toBe(0);
    expect(thin.at(-1)).toBe(999);
  });
});
