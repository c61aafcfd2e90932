// The app's message catalogues (English and Chinese) and the React context
// that says which one is in use. Every key is in MessageKey, and each
// catalogue is a Record over it, so a missing translation fails the build.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Role } from './auth';

/** Language is a language the app speaks. */
export type Language = 'en' | 'zh';

/** MessageKey names every piece of user-facing text. */
export type MessageKey =
  | 'productName'
  | 'language'
  | 'signInTitle'
  | 'username'
  | 'password'
  | 'signIn'
  | 'signingIn'
  | 'signOut'
  | 'signedInAs'
  | 'checkingSession'
  | 'errorUnauthorized'
  | 'errorRateLimit'
  | 'errorInvalid'
  | 'errorOther'
  | 'serverSaid'
  | 'role.admin'
  | 'role.service_director'
  | 'role.account_manager'
  | 'role.dispatcher'
  | 'role.engineer'
  | 'role.customer_it';

type Catalogue = Record<MessageKey, string>;

const en: Catalogue = {
  productName: 'Aftercare',
  language: 'Language',
  signInTitle: 'Sign in',
  username: 'User name',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  signedInAs: 'Signed in as {name} ({role})',
  checkingSession: 'Checking your session…',
  errorUnauthorized: 'The user name or password is wrong.',
  errorRateLimit: 'Too many failed sign-ins. Wait a while and try again.',
  errorInvalid: 'Enter a user name and a password.',
  errorOther: 'Something went wrong. Try again in a moment.',
  serverSaid: 'The server said: {message}',
  'role.admin': 'administrator',
  'role.service_director': 'service director',
  'role.account_manager': 'account manager',
  'role.dispatcher': 'dispatcher',
  'role.engineer': 'engineer',
  'role.customer_it': 'customer IT',
};

const zh: Catalogue = {
  productName: 'Aftercare',
  language: '语言',
  signInTitle: '登录',
  username: '用户名',
  password: '密码',
  signIn: '登录',
  signingIn: '正在登录…',
  signOut: '退出登录',
  signedInAs: '当前用户：{name}（{role}）',
  checkingSession: '正在检查登录状态…',
  errorUnauthorized: '用户名或密码错误。',
  errorRateLimit: '登录失败次数过多，请稍后再试。',
  errorInvalid: '请输入用户名和密码。',
  errorOther: '出现错误，请稍后再试。',
  serverSaid: '服务器返回：{message}',
  'role.admin': '管理员',
  'role.service_director': '服务总监',
  'role.account_manager': '客户经理',
  'role.dispatcher': '调度员',
  'role.engineer': '工程师',
  'role.customer_it': '客户 IT',
};

const catalogues: Record<Language, Catalogue> = { en, zh };

/** languageNames are shown in the language switch, each in its own language. */
export const languageNames: Record<Language, string> = { en: 'English', zh: '中文' };

/** htmlLang is the BCP 47 tag for <html lang>. */
const htmlLang: Record<Language, string> = { en: 'en', zh: 'zh-CN' };

const storageKey = 'aftercare.language';

function initialLanguage(): Language {
  const stored = sessionStorage.getItem(storageKey);
  if (stored === 'en' || stored === 'zh') {
    return stored;
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** Translate returns a message, with each {name} replaced by params[name]. */
export type Translate = (key: MessageKey, params?: Record<string, string>) => string;

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  roleName: (role: Role) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** LanguageProvider holds the chosen language and keeps <html lang> in step with it. */
export function LanguageProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = htmlLang[language];
    document.title = catalogues[language].productName;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    sessionStorage.setItem(storageKey, next);
    setLanguageState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const catalogue = catalogues[language];
    const t: Translate = (key, params = {}) =>
      catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
    return { language, setLanguage, t, roleName: (role) => t(`role.${role}`) };
  }, [language, setLanguage]);

  return createElement(I18nContext.Provider, { value }, children);
}

/** useI18n gives a component the current language, a way to change it, and its messages. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) {
    throw new Error('useI18n needs a LanguageProvider above it');
  }
  return i18n;
}

/**
 * Messages is one screen's own catalogue: the same keys in every
 * language, so that a missing translation fails the build there too.
 */
export type Messages<K extends string> = Record<Language, Record<K, string>>;

/** useMessages translates a screen's own keys into the current language. */
export function useMessages<K extends string>(messages: Messages<K>): (key: K, params?: Record<string, string | number>) => string {
  const { language } = useI18n();
  return useCallback(
    (key: K, params: Record<string, string | number> = {}) =>
      messages[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)),
    [language, messages],
  );
}
