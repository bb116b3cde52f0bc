// money.ts counts dates in integers (no Date objects, no slices); the answers must be those of
// the Date.UTC arithmetic it replaced, across four-digit years, month ends and leap days.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addMonths, addDuration, dateToDays, daysToDate, Duration } from '../engine/pipeline/money.js';

const utcDays = (iso: string) =>
  Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86400000;
const utcIso = (days: number) => new Date(days * 86400000).toISOString().slice(0, 10);
const utcAddMonths = (iso: string, months: number) => {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + months;
  const d = Number(iso.slice(8, 10));
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return utcIso(Date.UTC(year, month, Math.min(d, last)) / 86400000);
};
// Days from 1000-01-01 to 9999-12-31.
const day = fc.integer({ min: utcDays('1000-01-01'), max: utcDays('9999-12-31') });

describe('dates in integer days', () => {
  it('dateToDays and daysToDate agree with Date.UTC', () => {
    fc.assert(
      fc.property(day, (n) => {
        const iso = utcIso(n);
        expect(daysToDate(n)).toBe(iso);
        expect(dateToDays(iso)).toBe(n);
      }),
      { numRuns: 20000 },
    );
    for (const iso of [
      '1970-01-01',
      '2000-02-29',
      '1900-03-01',
      '2024-12-31',
      '1000-01-01',
      '9999-12-31',
      '1600-02-29',
    ])
      expect([dateToDays(iso), daysToDate(dateToDays(iso))]).toEqual([utcDays(iso), iso]);
    // Days past a month's end count on, as Date.UTC counts them; years 0-99 read as Date.UTC reads them.
    for (const iso of ['2023-02-30', '2023-04-31', '0050-06-01', '0099-12-31', '0100-01-01'])
      expect(dateToDays(iso)).toBe(utcDays(iso));
  });

  it('addMonths and addDuration agree with Date.UTC, month ends clamped', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: -240, max: 240 }),
        fc.integer({ min: -4000, max: 4000 }),
        (n, months, days) => {
          const iso = utcIso(n);
          const y = utcAddMonths(iso, months);
          if (Number(y.slice(0, 4)) >= 1000 && Number(y.slice(0, 4)) <= 9999) expect(addMonths(iso, months)).toBe(y);
          const back = utcIso(n - days);
          if (back >= '1000' && back <= '9999-12-31')
            expect(addDuration(iso, new Duration(days, 'days'), -1)).toBe(back);
        },
      ),
      { numRuns: 20000 },
    );
  });
});
