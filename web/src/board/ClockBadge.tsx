import { formatDuration, ladderLevel, levelColours, livePercent, secondsLeft, type Clock, type Level } from '../ui/clock';
import { useMessages } from '../i18n';
import { messages } from './messages';
import './clock.css';

/** ClockBadge shows one SLA clock: its kind, percent used and time to the deadline, coloured by ladder level. */
export function ClockBadge({ clock, now }: { clock: Clock; now: number }) {
  const t = useMessages(messages);
  const percent = livePercent(clock, now);
  const level = ladderLevel(percent);
  const left = secondsLeft(clock, now);
  let when = '';
  if (clock.state === 'PAUSED') when = t('paused');
  else if (clock.state === 'MET') when = t('stopped');
  else if (left !== null) when = left >= 0 ? t('left', { time: formatDuration(left) }) : t('overdue', { time: formatDuration(-left) });
  return (
    <span className={`clock level-${level}`} style={{ borderColor: levelColours[level] }} data-level={level}>
      <span className="clock-kind">{t(`clock.${clock.kind}`)}</span>{' '}
      <span className="clock-used">{t('used', { percent: Math.floor(percent) })}</span>{' '}
      <span className="clock-left">{when}</span>
    </span>
  );
}

/** worstLevel is the highest ladder level of an incident's going clocks. */
export function worstLevel(clocks: Clock[], now: number): Level {
  let worst: Level = 0;
  for (const c of clocks) {
    const level = c.state === 'MET' ? 0 : ladderLevel(livePercent(c, now));
    if (level > worst) worst = level;
  }
  return worst;
}
