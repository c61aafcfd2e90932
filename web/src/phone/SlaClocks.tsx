// An active job's SLA clocks, counting down every second from their deadlines.
import { useI18n, useMessages } from '../i18n';
import { useNow } from '../ui/clock';
import type { SlaClock } from './data';
import { decimal, duration } from './format';
import { messages } from './messages';

/** SlaClocks lists an incident's clocks with the time left on each, live. */
export function SlaClocks({ clocks, number }: { clocks: SlaClock[]; number: number }) {
  const t = useMessages(messages);
  const now = useNow(1000);
  if (clocks.length === 0) return null;
  const headingId = `phone-clocks-${number}`;
  return (
    <section className="phone-clocks" aria-labelledby={headingId}>
      <h4 id={headingId} className="phone-subheading">{t('clocks')}</h4>
      <ul>
        {clocks.map((c) => (
          <ClockRow key={c.kind} clock={c} now={now} />
        ))}
      </ul>
    </section>
  );
}

function ClockRow({ clock, now }: { clock: SlaClock; now: number }) {
  const t = useMessages(messages);
  const { language } = useI18n();
  const left = clock.deadline ? Math.round((Date.parse(clock.deadline) - now) / 1000) : null;
  const going = clock.state === 'RUNNING' || (clock.state === 'BREACHED' && left !== null);
  let when: string;
  if (clock.state === 'PAUSED') when = t('paused');
  else if (clock.state === 'MET' || !going || left === null) when = t('stopped');
  else when = left >= 0 ? t('timeLeft', { time: duration(t, left) }) : t('overdue', { time: duration(t, -left) });
  const late = clock.state === 'BREACHED' || (going && left !== null && left < 0);
  const tone = late ? 'late' : clock.state === 'MET' ? 'met' : clock.percentUsed >= 75 ? 'warn' : 'ok';
  const percent = decimal(language, Math.floor(clock.percentUsed));
  return (
    <li className={`phone-clock phone-clock-${tone}`} data-kind={clock.kind}>
      <span className="phone-clock-kind">{t(`clock.${clock.kind}`)}</span>
      <span className="phone-clock-left" data-testid={`clock-${clock.kind}`}>{when}</span>
      <span className="phone-clock-used">
        {t('used', { percent })} · {t(`clockState.${clock.state}`)}
      </span>
    </li>
  );
}
