// Times and durations written in the engineer's language.
import type { Language } from '../i18n';
import type { Tr } from './messages';

const locales: Record<Language, string> = { en: 'en-GB', zh: 'zh-CN' };

/** duration writes a number of seconds (never negative) as days and hours, or hours, minutes and seconds. */
export function duration(t: Tr, seconds: number): string {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return t('duration.d', { d, h });
  if (h > 0) return t('duration.h', { h, m: pad(m), s: pad(s) });
  return t('duration.m', { m, s: pad(s) });
}

/** dateTime writes an instant as a short local date and time. */
export function dateTime(language: Language, iso: string): string {
  return new Intl.DateTimeFormat(locales[language], { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** number writes a number with at most one decimal. */
export function decimal(language: Language, n: number): string {
  return new Intl.NumberFormat(locales[language], { maximumFractionDigits: 1 }).format(n);
}
