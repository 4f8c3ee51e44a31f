import { periodKey, periodLabel, periodQuery, type Period } from '../core/period.js';

export interface PeriodLink {
  label: string;
  href: string;
  active: boolean;
}

/** The period tabs of a page: all time, then each year and month that has hands, newest first. */
export function periodLinks(path: string, current: Period, activeMonths: string[], extraQuery = ''): PeriodLink[] {
  const years = [...new Set(activeMonths.map((m) => m.slice(0, 4)))];
  const periods: Period[] = [
    { kind: 'all' },
    ...years.map((y): Period => ({ kind: 'year', year: Number(y) })),
    ...activeMonths.map((m): Period => ({ kind: 'month', year: Number(m.slice(0, 4)), month: Number(m.slice(5, 7)) })),
  ];
  const join = (q: string) => (q && extraQuery ? `${q}&${extraQuery}` : q || (extraQuery ? `?${extraQuery}` : ''));
  return periods.map((p) => ({
    label: periodLabel(p),
    href: `${path}${join(periodQuery(p))}`,
    active: periodKey(p) === periodKey(current),
  }));
}

/** A page's period heading and tabs: its title (none for all time) and a link to each period. */
export function periodNav(path: string, period: Period, activeMonths: string[], extraQuery = '') {
  return { period, periodTitle: period.kind === 'all' ? null : periodLabel(period), periods: periodLinks(path, period, activeMonths, extraQuery) };
}
