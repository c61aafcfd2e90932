import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, subscribe } from '../api';
import { useMessages } from '../i18n';
import { ClockBadge } from '../board/ClockBadge';
import { useNow } from '../ui/clock';
import { ErrorMessage } from '../ui/ErrorMessage';
import { decideQuote, loadDetail, type Detail, type Quote } from './data';
import { messages } from './messages';

/** IncidentDetail follows one incident live: its clocks, what happened, and its quotes to answer. */
export function IncidentDetail({ id, onBack }: { id: string; onBack: () => void }) {
  const t = useMessages(messages);
  const now = useNow();
  const [detail, setDetail] = useState<Detail | null | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(null);
  const reload = useCallback(() => {
    loadDetail(id).then((d) => {
      setDetail(d);
      setFailure(null);
    }, setFailure);
  }, [id]);

  useEffect(() => {
    const stop = subscribe('subscription($id: ID!) { incidentEvents(incidentId: $id) { id } }', { id }, reload, setFailure);
    reload();
    return stop;
  }, [id, reload]);

  return (
    <section className="portal-detail" aria-labelledby="portal-detail-title">
      <button type="button" onClick={onBack}>{t('back')}</button>
      <ErrorMessage error={failure ?? (detail === null ? notFound : null)} />
      {detail === undefined && !failure && <p>{t('loading')}</p>}
      {detail && (
        <>
          <h2 id="portal-detail-title">#{detail.number} · {detail.priority} · <span data-testid="incident-status">{detail.status}</span></h2>
          <p>{detail.asset.model} ({detail.asset.serialNumber}) · {detail.site.name}, {detail.site.city}</p>
          <p>{detail.symptoms}</p>
          <h3>{t('clocks')}</h3>
          <div className="portal-clocks">{detail.slaClocks.map((c) => <ClockBadge key={c.kind} clock={c} now={now} />)}</div>
          {detail.quotes.length > 0 && (
            <>
              <h3>{t('quotes')}</h3>
              {detail.quotes.map((q) => <QuoteCard key={q.id} quote={q} onDecided={reload} />)}
            </>
          )}
          <h3>{t('events')}</h3>
          <ol className="portal-events" data-testid="events">
            {detail.events.map((e) => (
              <li key={e.id} data-kind={e.kind}>
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> {e.kind}{e.toStatus ? ` → ${e.toStatus}` : ''}
                {e.reason ? ` · ${e.reason}` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** notFound is how an incident the caller may not see reads: the API answers it with null. */
const notFound = new ApiError('ENOTFOUND', 'incident not found');

function QuoteCard({ quote, onDecided }: { quote: Quote; onDecided: () => void }) {
  const t = useMessages(messages);
  const id = useId();
  const [text, setText] = useState('');
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  async function decide(approve: boolean) {
    setPending(true);
    setFailure(null);
    try {
      await decideQuote(quote.id, approve, text.trim());
      onDecided();
    } catch (err) {
      setFailure(err);
    } finally {
      setPending(false);
    }
  }
  return (
    <div className="portal-quote" data-quote-state={quote.state}>
      <p><strong>{quote.state}</strong> · {t('quoteTotal', { amount: quote.total.amount, currency: quote.total.currency })}
        {quote.validUntil ? ` · ${t('validUntil', { date: new Date(quote.validUntil).toLocaleDateString() })}` : ''}</p>
      <ul>{quote.lines.map((l) => <li key={l.line}>{l.description} × {l.quantity}: {l.total.amount} {l.total.currency}</li>)}</ul>
      <ErrorMessage error={failure} />
      {quote.state === 'SENT' && (
        <div className="portal-form">
          <label htmlFor={`${id}-text`}>{t('note')} / {t('rejectReason')}</label>
          <input id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="button" className="primary" disabled={pending} onClick={() => decide(true)}>{t('approve')}</button>
          <button type="button" disabled={pending} onClick={() => decide(false)}>{t('reject')}</button>
        </div>
      )}
    </div>
  );
}
