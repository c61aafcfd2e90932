// The repair record of an incident as it stands: diagnosis, parts, tests.
import { useI18n, useMessages } from '../i18n';
import type { RepairRecord as Record } from './data';
import { dateTime } from './format';
import { messages } from './messages';

/** RepairRecord shows what has been recorded of the repair so far. */
export function RepairRecord({ repair, number }: { repair: Record; number: number }) {
  const t = useMessages(messages);
  const { language } = useI18n();
  const headingId = `phone-repair-${number}`;
  return (
    <section className="phone-record" aria-labelledby={headingId}>
      <h4 id={headingId} className="phone-subheading">{t('repairTitle')}</h4>
      <dl>
        <dt>{t('diagnosis')}</dt>
        <dd data-testid="repair-diagnosis">{repair.diagnosis || t('noDiagnosis')}</dd>
        <dt>{t('partsUsed')}</dt>
        <dd data-testid="repair-parts">
          {repair.parts.length === 0 ? t('noPartsUsed') : (
            <ul>
              {repair.parts.map((p) => (
                <li key={p.id}>
                  {t('partLine', { fru: p.fru, serial: p.serialNumber })}
                  {p.removed && <>; {t('removedLine', { serial: p.removed.serialNumber })}</>}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('tests')}</dt>
        <dd data-testid="repair-tests">
          {repair.tests.length === 0 ? t('noTests') : (
            <ul>
              {repair.tests.map((test) => (
                <li key={test.recordedAt}>
                  {t('testLine', { result: t(test.passed ? 'testPassed' : 'testFailed'), time: dateTime(language, test.recordedAt) })}
                  {test.notes && <> — {test.notes}</>}
                </li>
              ))}
            </ul>
          )}
          <p className={repair.passed ? 'phone-verdict-pass' : 'phone-verdict'}>
            {t(repair.passed ? 'verdictPassed' : 'verdictNotPassed')}
          </p>
        </dd>
      </dl>
    </section>
  );
}
