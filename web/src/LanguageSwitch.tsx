import { languageNames, useI18n, type Language } from './i18n';

const languages = Object.keys(languageNames) as Language[];

/** LanguageSwitch lets the user choose the language the app speaks. */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language-switch">
      <span>{t('language')}</span>
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l === 'zh' ? 'zh-CN' : 'en'}>
            {languageNames[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
