// Times and durations written in the engineer's language.
import type { Language } from '../i18n';
import { durationParts } from '../ui/clock';
import type { Tr } from './messages';

const locales: Record<Language, string> = { en: 'en-GB', zh: 'zh-CN' };

/** duration writes a number of seconds (never negative) as days and hours, or hours, minutes and seconds. */
export function duration(t: Tr, seconds: number): string {
  const { d, h, m, s } = durationParts(Math.max(0, seconds));
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
