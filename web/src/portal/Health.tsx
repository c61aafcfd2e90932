// Corporate IT's view of its devices' health: the warnings their readings
// raised, each with the readings that moved, the part it needs and the
// proactive incident it filed, and dismissing one with a reason (kept as a
// label for judging the rules).
import { useEffect, useState, type FormEvent } from 'react';
import { gql } from '../api';
import { useMessages, type Messages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';

interface Warning {
  id: number;
  serialNumber: string;
  component: 'DRIVE' | 'MEMORY' | 'PSU' | 'FAN' | 'BATTERY';
  slot: number;
  score: number;
  reasons: string;
  fru: string;
  state: 'OPEN' | 'RESOLVED' | 'DISMISSED';
  raisedAt: string;
  dismissReason: string;
  incident: { id: string; number: number; status: string } | null;
}

const fields = 'id serialNumber component slot score reasons fru state raisedAt dismissReason incident { id number status }';

type Key = 'title' | 'intro' | 'none' | 'device' | 'component' | 'risk' | 'reasons' | 'part' | 'incident' | 'state' | 'raised'
  | 'dismiss' | 'dismissReason' | 'dismissButton' | 'cancel' | 'noIncident' | 'OPEN' | 'RESOLVED' | 'DISMISSED' | 'slot'
  | 'DRIVE' | 'MEMORY' | 'PSU' | 'FAN' | 'BATTERY';

const messages: Messages<Key> = {
  en: {
    title: 'Device health warnings', intro: 'Components whose readings foretell a failure. Under proactive monitoring (platinum), each files an incident with the part on its way.',
    none: 'No warnings.', device: 'Device', component: 'Component', risk: 'Risk', reasons: 'What moved', part: 'Part', incident: 'Incident',
    state: 'State', raised: 'Raised', dismiss: 'Dismiss…', dismissReason: 'Why is this not a failure coming?',
    dismissButton: 'Dismiss warning', cancel: 'Keep it', noIncident: 'warning only', OPEN: 'open', RESOLVED: 'resolved',
    DISMISSED: 'dismissed: {reason}', slot: '{component}, slot {slot}',
    DRIVE: 'drive', MEMORY: 'memory', PSU: 'power supply', FAN: 'fan', BATTERY: 'battery',
  },
  zh: {
    title: '设备健康预警', intro: '读数预示即将故障的部件。在主动监控（白金）下，每条预警会自动报修，并提前调拨备件。',
    none: '没有预警。', device: '设备', component: '部件', risk: '风险', reasons: '变化的读数', part: '备件', incident: '工单',
    state: '状态', raised: '产生时间', dismiss: '忽略…', dismissReason: '为什么这不是即将发生的故障？',
    dismissButton: '忽略预警', cancel: '保留', noIncident: '仅预警', OPEN: '处理中', RESOLVED: '已解决',
    DISMISSED: '已忽略：{reason}', slot: '{component}，槽位 {slot}',
    DRIVE: '硬盘', MEMORY: '内存', PSU: '电源', FAN: '风扇', BATTERY: '电池',
  },
};

export function Health({ onOpenIncident }: { onOpenIncident: (id: string) => void }) {
  const t = useMessages(messages);
  const [warnings, setWarnings] = useState<Warning[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    gql<{ healthWarnings: { edges: { node: Warning }[] } }>(`{ healthWarnings(first: 100) { edges { node { ${fields} } } } }`)
      .then((r) => setWarnings(r.healthWarnings.edges.map((e) => e.node)), setFailure);
  }, [tick]);
  return (
    <section aria-labelledby="portal-health" className="portal-health">
      <h2 id="portal-health">{t('title')}</h2>
      <p>{t('intro')}</p>
      <ErrorMessage error={failure} />
      {warnings === null ? null : warnings.length === 0 ? <p>{t('none')}</p> : (
        <table className="portal-table">
          <thead>
            <tr><th scope="col">{t('device')}</th><th scope="col">{t('component')}</th><th scope="col">{t('risk')}</th>
              <th scope="col">{t('reasons')}</th><th scope="col">{t('part')}</th><th scope="col">{t('incident')}</th>
              <th scope="col">{t('state')}</th></tr>
          </thead>
          <tbody>
            {warnings.map((w) => (
              <tr key={w.id} data-warning={w.id}>
                <td>{w.serialNumber}</td>
                <td>{t('slot', { component: t(w.component), slot: w.slot })}</td>
                <td>{Math.round(w.score * 100)} %</td>
                <td>{w.reasons}</td>
                <td>{w.fru}</td>
                <td>{w.incident ? (
                  <a href={`/portal?incident=${w.incident.id}`} onClick={(e) => { e.preventDefault(); onOpenIncident(w.incident!.id); }}>
                    #{w.incident.number} {w.incident.status}
                  </a>) : t('noIncident')}</td>
                <td>
                  {w.state === 'DISMISSED' ? t('DISMISSED', { reason: w.dismissReason }) : t(w.state)}
                  {w.state === 'OPEN' && <Dismiss id={w.id} onDone={() => setTick((n) => n + 1)} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Dismiss({ id, onDone }: { id: number; onDone: () => void }) {
  const t = useMessages(messages);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      await gql('mutation($id: Int!, $r: String!) { dismissHealthWarning(id: $id, reason: $r) { id } }', { id, r: reason });
      onDone();
    } catch (err) {
      setFailure(err);
    }
  }
  if (!open) return <button type="button" onClick={() => setOpen(true)}>{t('dismiss')}</button>;
  return (
    <form onSubmit={submit} className="dismiss">
      <label>{t('dismissReason')}<textarea required value={reason} onChange={(e) => setReason(e.target.value)} /></label>
      <button type="submit">{t('dismissButton')}</button>
      <button type="button" onClick={() => setOpen(false)}>{t('cancel')}</button>
      <ErrorMessage error={failure} />
    </form>
  );
}
