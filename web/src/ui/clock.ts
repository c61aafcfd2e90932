// SLA clocks as people see them: how much of the promise is used, the
// time left until the deadline, and the escalation ladder's level, which
// decides the colour (always shown beside words or figures, never alone).
import { useEffect, useState } from 'react';

/** Clock is an SLA clock as the API gives it. */
export interface Clock {
  kind: 'RESPONSE' | 'ON_SITE' | 'RESTORE';
  state: 'RUNNING' | 'PAUSED' | 'MET' | 'BREACHED';
  deadline: string | null;
  percentUsed: number;
  budgetSeconds: number;
  elapsedSeconds: number;
  asOf: string;
}

/** clockFields selects what Clock needs. */
export const clockFields = 'kind state deadline percentUsed budgetSeconds elapsedSeconds asOf';

/** Level is the escalation ladder's rung: 0 below 50 %, then 50, 75, 90 and 100 (breach). */
export type Level = 0 | 1 | 2 | 3 | 4;

/** ladderLevel is the rung a percentage has reached on the default ladder. */
export function ladderLevel(percent: number): Level {
  if (percent >= 100) return 4;
  if (percent >= 90) return 3;
  if (percent >= 75) return 2;
  if (percent >= 50) return 1;
  return 0;
}

/** levelColours are the fill of each rung, from calm to breached. */
export const levelColours: Record<Level, string> = {
  0: '#2e7d32',
  1: '#c49000',
  2: '#e06500',
  3: '#d03b1f',
  4: '#a00000',
};

/**
 * livePercent is a running clock's percentage now: the server's figure at
 * asOf moved on by the time since, which is exact while the clock counts
 * every hour (24x7) and an upper bound for business-hours clocks outside
 * their hours; a stopped or paused clock keeps the server's figure.
 */
export function livePercent(c: Clock, now: number): number {
  if (c.state !== 'RUNNING' || c.budgetSeconds <= 0) {
    return c.percentUsed;
  }
  const since = Math.max(0, (now - Date.parse(c.asOf)) / 1000);
  const byDeadline = c.deadline ? Date.parse(c.deadline) <= now : false;
  const moved = c.percentUsed + (100 * since) / c.budgetSeconds;
  return byDeadline ? Math.max(100, moved) : Math.min(moved, 99.9);
}

/** secondsLeft is the time until a clock's deadline at now, negative past it; null without one. */
export function secondsLeft(c: Clock, now: number): number | null {
  return c.deadline ? Math.round((Date.parse(c.deadline) - now) / 1000) : null;
}

/** durationParts splits a number of seconds (its size; the sign is the caller's) into days, hours, minutes and seconds. */
export function durationParts(seconds: number): { d: number; h: number; m: number; s: number } {
  let s = Math.floor(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return { d, h, m, s: s - m * 60 };
}

/** formatDuration writes seconds as "1 d 2 h", "2 h 05 m" or "4 m 09 s", with a minus sign when negative. */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  const { d, h, m, s } = durationParts(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d} d ${h} h`;
  if (h > 0) return `${sign}${h} h ${pad(m)} m`;
  return `${sign}${m} m ${pad(s)} s`;
}

/** useNow is the time in milliseconds, moving on every interval (a second by default). */
export function useNow(interval = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), interval);
    return () => window.clearInterval(id);
  }, [interval]);
  return now;
}
