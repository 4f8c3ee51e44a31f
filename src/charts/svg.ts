/**
 * Line charts as server-rendered SVG: no JavaScript, readable at 375 px, coloured by the
 * stylesheet (so dark mode follows), with a title and a description for screen readers.
 * Pure: data in, markup out. Pages show the same data in a table beside the chart.
 */
import crypto from 'node:crypto';
export interface Series {
  name: string;
  values: number[];
  /** CSS class giving the line its colour: chart-line-1, chart-line-2… */
  className: string;
}

export interface LineChart {
  title: string;
  description: string;
  labels: string[];
  series: Series[];
  /** Draw the zero line (for a lead that swings either way). */
  zeroLine?: boolean;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const W = 600;
const H = 260;
const PAD = { left: 48, right: 12, top: 14, bottom: 28 };

/** Keeps at most `max` evenly spread points, always the first and the last. */
export function sample<T>(points: T[], max = 60): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    const point = points[Math.round((i * (points.length - 1)) / (max - 1))];
    if (point !== undefined) out.push(point);
  }
  return out;
}

export function lineChartSvg(chart: LineChart): string {
  // Named by what it draws, so the same data renders the same bytes (a kept page equals a
  // fresh render, src/http/pageCache.ts); two charts on one page differ in title or data.
  const id = `chart-${crypto.createHash('sha256').update(JSON.stringify(chart)).digest('hex').slice(0, 10)}`;
  const all = chart.series.flatMap((s) => s.values);
  if (chart.zeroLine) all.push(0);
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (min === max) [min, max] = [min - 1, max + 1];
  const n = Math.max(chart.labels.length, 1);
  const x = (i: number) => PAD.left + (n === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (v: number) => PAD.top + ((max - v) * (H - PAD.top - PAD.bottom)) / (max - min);
  const round = (v: number) => Math.round(v * 10) / 10;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-title">${escape(chart.title)}</title>`,
    `<desc id="${id}-desc">${escape(chart.description)}</desc>`,
    `<line class="chart-axis" x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}"/>`,
    `<line class="chart-axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}"/>`,
    `<text class="chart-label" x="${PAD.left - 6}" y="${round(y(max)) + 4}" text-anchor="end">${round(max)}</text>`,
    `<text class="chart-label" x="${PAD.left - 6}" y="${round(y(min)) + 4}" text-anchor="end">${round(min)}</text>`,
  );
  if (chart.zeroLine) {
    parts.push(`<line class="chart-zero" x1="${PAD.left}" y1="${round(y(0))}" x2="${W - PAD.right}" y2="${round(y(0))}"/>`);
  }
  const [firstLabel, lastLabel] = [chart.labels[0], chart.labels.at(-1)];
  if (firstLabel !== undefined) {
    parts.push(`<text class="chart-label" x="${PAD.left}" y="${H - 8}" text-anchor="start">${escape(firstLabel)}</text>`);
    if (chart.labels.length > 1 && lastLabel !== undefined) {
      parts.push(`<text class="chart-label" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${escape(lastLabel)}</text>`);
    }
  }
  const drawn = chart.series.filter((s) => s.values.length > 0);
  for (const s of drawn) {
    const points = s.values.map((v, i) => `${round(x(i))},${round(y(v))}`).join(' ');
    parts.push(`<polyline class="chart-line ${escape(s.className)}" fill="none" points="${points}"/>`);
    // A line of one point draws nothing: show the point, and its value beside it.
    const [only] = s.values;
    if (s.values.length === 1 && only !== undefined) {
      const [cx, cy] = [round(x(0)), round(y(only))];
      parts.push(
        `<circle class="chart-point ${escape(s.className)}" cx="${cx}" cy="${cy}" r="6"/>`,
        // Above the dot, or below it when the dot is at the top of the frame.
        `<text class="chart-label chart-value" x="${cx + 12}" y="${cy - 10 < PAD.top + 20 ? cy + 30 : cy - 10}">${round(only)}</text>`,
      );
    }
  }
  if (drawn.length === 0) {
    parts.push(`<text class="chart-label chart-empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">No data yet</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
