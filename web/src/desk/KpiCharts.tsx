// Monthly KPI charts, drawn with Chart.js on canvases, each with the same
// figures as a table beside it for those who do not see the chart.
import { useEffect, useRef } from 'react';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { useMessages } from '../i18n';
import type { Month } from './data';
import { messages } from './messages';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const label = (start: string) => start.slice(0, 7);

/** useChart draws a chart on a canvas, again whenever deps change. */
function useChart(canvas: React.RefObject<HTMLCanvasElement | null>, config: () => ConstructorParameters<typeof Chart>[1], deps: unknown[]) {
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config());
    return () => chart.destroy();
  }, deps);
}

/** KpiCharts draws attainment per clock, MTTR, first-time fix and CSAT by month. */
export function KpiCharts({ months }: { months: Month[] }) {
  const t = useMessages(messages);
  const attainment = useRef<HTMLCanvasElement>(null);
  const quality = useRef<HTMLCanvasElement>(null);
  const labels = months.map((m) => label(m.start));
  useChart(attainment, () => ({
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('response'), data: months.map((m) => pct(m.response)), borderColor: '#14365d', backgroundColor: '#14365d' },
        { label: t('onSite'), data: months.map((m) => pct(m.onSite)), borderColor: '#e06500', backgroundColor: '#e06500' },
        { label: t('restore'), data: months.map((m) => pct(m.restore)), borderColor: '#2e7d32', backgroundColor: '#2e7d32' },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: t('attainment') + ' %' } } } },
  }), [months, t]);
  useChart(quality, () => ({
    type: 'bar',
    data: {
      labels,
      datasets: [
        { type: 'bar', label: t('mttr') + ' (h)', data: months.map((m) => (m.mttrHours === null ? null : Math.round(m.mttrHours * 10) / 10)),
          backgroundColor: '#9ab6d8', yAxisID: 'hours' },
        { type: 'line', label: t('ftf') + ' %', data: months.map((m) => pct(m.firstTimeFix)), borderColor: '#5b3fa0', backgroundColor: '#5b3fa0', yAxisID: 'pct' },
        { type: 'line', label: t('csat') + ' %', data: months.map((m) => pct(m.csat)), borderColor: '#c49000', backgroundColor: '#c49000', yAxisID: 'pct' },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { hours: { position: 'left', min: 0 }, pct: { position: 'right', min: 0, max: 100 } } },
  }), [months, t]);

  const fmt = (x: number | null) => (x === null ? t('none') : t('percent', { n: pct(x) ?? 0 }));
  return (
    <div className="kpi-charts">
      <div className="kpi-chart"><canvas ref={attainment} role="img" aria-label={t('attainment')} /></div>
      <div className="kpi-chart"><canvas ref={quality} role="img" aria-label={`${t('mttr')}, ${t('ftf')}, ${t('csat')}`} /></div>
      <table className="kpi-table">
        <caption>{t('kpiTable')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('month')}</th><th scope="col">{t('attainment')} ({t('response')}/{t('onSite')}/{t('restore')})</th>
            <th scope="col">{t('mttr')}</th><th scope="col">{t('ftf')}</th><th scope="col">{t('csat')}</th>
            <th scope="col">{t('resolved')}</th><th scope="col">{t('breachCount')}</th><th scope="col">{t('credits')}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.start} data-month={label(m.start)}>
              <th scope="row">{label(m.start)}</th>
              <td>{fmt(m.response)} / {fmt(m.onSite)} / {fmt(m.restore)}</td>
              <td>{m.mttrHours === null ? t('none') : t('hours', { n: m.mttrHours.toFixed(1) })}</td>
              <td>{fmt(m.firstTimeFix)}</td>
              <td>{fmt(m.csat)}</td>
              <td data-kpi="resolved">{m.resolved}</td>
              <td>{m.breaches}</td>
              <td>{t('percent', { n: m.credits.toFixed(1) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
