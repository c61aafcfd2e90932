// The dispatcher's board: the region's queue with live clocks, its map,
// and for the chosen incident who can go and who cannot and why; all kept
// current by the region's subscription, without reloading the page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { subscribe } from '../api';
import type { User } from '../auth';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { BoardMap, type Layer } from './BoardMap';
import { Candidates } from './Candidates';
import {
  loadDecision, loadDepots, loadEngineers, loadItem, loadQueue, loadRegions, regionEventsQuery,
  type BoardEngineer, type Decision, type Depot, type QueueItem, type Region, type RegionEventData,
} from './data';
import { messages } from './messages';
import { PlanPreview } from './PlanPreview';
import { Queue } from './Queue';
import './board.css';

/** reloadDelay gathers a burst of incident events into one reload of the queue. */
const reloadDelay = 300;

export function Board(_: { user: User }) {
  const t = useMessages(messages);
  const [regions, setRegions] = useState<Region[]>([]);
  const [region, setRegion] = useState(() => new URLSearchParams(window.location.search).get('region') ?? '');
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    loadRegions().then((rs) => {
      setRegions(rs);
      setRegion((r) => (rs.some((x) => x.code === r) ? r : (rs[0]?.code ?? '')));
    }, setFailure);
  }, []);

  return (
    <div className="board">
      <div className="board-bar">
        <h1>{t('title')}</h1>
        <label>
          {t('region')}{' '}
          <select value={region} onChange={(e) => setRegion(e.target.value)}>
            {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
          </select>
        </label>
      </div>
      <ErrorMessage error={failure} />
      {region && <RegionBoard key={region} region={region} />}
    </div>
  );
}

function RegionBoard({ region }: { region: string }) {
  const t = useMessages(messages);
  const [queue, setQueue] = useState<QueueItem[] | null>(null);
  const [engineers, setEngineers] = useState<BoardEngineer[]>([]);
  const [depots, setDepots] = useState<Depot[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [decisionError, setDecisionError] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [layer, setLayer] = useState<Layer>('incidents');
  const [followed, setFollowed] = useState<QueueItem | null>(null);
  const [live, setLive] = useState(true);
  const timer = useRef<number | undefined>(undefined);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;

  const refreshDecision = useCallback((id: string | null) => {
    setDecision(null);
    setDecisionError(null);
    if (id) loadDecision(id).then((d) => selectedRef.current === id && setDecision(d), setDecisionError);
  }, []);

  const reloadQueue = useCallback(() => {
    loadQueue(region).then((q) => {
      setQueue(q);
      setFailure(null);
    }, setFailure);
  }, [region]);

  useEffect(() => {
    // Subscribe first, then read: nothing that happens in between is missed.
    const stop = subscribe<RegionEventData>(regionEventsQuery, { r: region }, (data) => {
      setLive(true);
      const ev = data.regionEvents;
      if (ev.engineer) {
        const e = ev.engineer;
        setEngineers((all) => (all.some((x) => x.id === e.id) ? all.map((x) => (x.id === e.id ? e : x)) : [...all, e]));
      }
      if (ev.incidentEvent) {
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(reloadQueue, reloadDelay);
      }
    }, () => setLive(false));
    reloadQueue();
    loadEngineers(region).then(setEngineers, setFailure);
    loadDepots(region).then(setDepots, setFailure);
    return () => {
      stop();
      window.clearTimeout(timer.current);
    };
  }, [region, reloadQueue]);

  // A new queue may change who can go for the chosen incident.
  useEffect(() => refreshDecision(selectedId), [selectedId, queue, refreshDecision]);

  // The chosen incident stays in view when it leaves the queue (assigned
  // and not at risk), read again whenever the queue is.
  const inQueue = queue?.find((q) => q.incident.id === selectedId) ?? null;
  useEffect(() => {
    if (!selectedId || inQueue || queue === null) {
      setFollowed(null);
      return;
    }
    loadItem(selectedId).then((item) => selectedRef.current === selectedId && setFollowed(item), setFailure);
  }, [selectedId, inQueue, queue]);
  const selected = inQueue ?? (followed?.incident.id === selectedId ? followed : null);
  const changed = (message: string) => {
    setNote(message);
    reloadQueue();
  };
  return (
    <>
      <p className="board-status" role="status">
        <span className={live ? 'live-on' : 'live-off'}>{live ? t('live') : t('offline')}</span>
        {queue && ` · ${t('incidentsCount', { n: queue.length })}`} · {t('engineersCount', { n: engineers.length })}
        {note && ` · ${note}`}
      </p>
      <ErrorMessage error={failure} />
      <div className="board-grid">
        <section className="board-queue" aria-labelledby="queue-title">
          <h2 id="queue-title">{t('queue')}</h2>
          {queue === null ? <p>{t('loading')}</p> : <Queue items={queue} selected={selectedId} onSelect={setSelectedId} />}
          <PlanPreview region={region} onApplied={reloadQueue} />
        </section>
        <section className="board-middle" aria-label={t('map')}>
          <fieldset className="layer-switch">
            <legend>{t('layer')}</legend>
            {(['incidents', 'coverage'] as const).map((l) => (
              <label key={l}>
                <input type="radio" name="layer" value={l} checked={layer === l} onChange={() => setLayer(l)} />{' '}
                {l === 'incidents' ? t('layerIncidents') : t('layerCoverage')}
              </label>
            ))}
          </fieldset>
          <BoardMap queue={queue ?? []} engineers={engineers} depots={depots} selected={selected} decision={decision}
            layer={layer} onSelect={setSelectedId} />
        </section>
        <div className="board-side">
          {selected ? <Candidates item={selected} decision={decision} error={decisionError} onChanged={changed}
            onRetry={() => refreshDecision(selectedId)} /> : <p>{t('chooseIncident')}</p>}
        </div>
      </div>
    </>
  );
}
