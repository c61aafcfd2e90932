import { useMessages } from '../i18n';
import { useNow } from '../ui/clock';
import { ClockBadge, worstLevel } from './ClockBadge';
import type { QueueItem } from './data';
import { messages } from './messages';

/** Queue lists the region's incidents waiting for an engineer or at risk, most urgent first, with live clocks. */
export function Queue({ items, selected, onSelect }: { items: QueueItem[]; selected: string | null; onSelect: (id: string) => void }) {
  const t = useMessages(messages);
  const now = useNow();
  if (items.length === 0) {
    return <p>{t('queueEmpty')}</p>;
  }
  return (
    <ol className="queue" aria-label={t('queue')}>
      {items.map(({ incident: inc, assignment }) => (
        <li key={inc.id} className={`queue-item level-${worstLevel(inc.slaClocks, now)}`} aria-current={inc.id === selected ? 'true' : undefined}>
          <button type="button" className="queue-pick" onClick={() => onSelect(inc.id)} aria-pressed={inc.id === selected}>
            <span className="queue-head">
              <strong>#{inc.number}</strong> {inc.priority} · {inc.tier} · {inc.account.name} · {inc.site.city}
            </span>
            <span className="queue-symptoms">{inc.symptoms}</span>
            <span className="queue-clocks">
              {inc.slaClocks.filter((c) => c.state !== 'MET').map((c) => (
                <ClockBadge key={c.kind} clock={c} now={now} />
              ))}
            </span>
            <span className="queue-assignment">
              {assignment ? t('assignedTo', { name: assignment.engineer.name, state: (t as (k: string) => string)(`state.${assignment.state}`) }) : t('unassigned')}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}
