// How an error from the API is shown: a sentence people understand, chosen
// by the error's code, with the server's own words beneath for support.
import { ApiError } from '../api';
import { useMessages, type Messages } from '../i18n';

type Key = 'EUNAUTHORIZED' | 'ERATELIMIT' | 'EINVALID' | 'ENOTFOUND' | 'ECONFLICT' | 'EUNAVAILABLE' | 'EINTERNAL' | 'details';

const messages: Messages<Key> = {
  en: {
    EUNAUTHORIZED: 'You are not allowed to do that, or your sign-in has ended. Sign in again if it keeps happening.',
    ERATELIMIT: 'Too many requests just now. Wait a moment and try again.',
    EINVALID: 'Some of what you entered is not valid. Check it and try again.',
    ENOTFOUND: 'That could not be found. It may have been removed, or it is not yours to see.',
    ECONFLICT: 'Someone changed this meanwhile, or it is no longer possible. Refresh and try again.',
    EUNAVAILABLE: 'The service is busy for a moment. Try again shortly.',
    EINTERNAL: 'Something went wrong on our side. Try again in a moment.',
    details: 'Details: {message}',
  },
  zh: {
    EUNAUTHORIZED: '您无权执行此操作，或登录已失效。如果反复出现，请重新登录。',
    ERATELIMIT: '请求过于频繁，请稍候再试。',
    EINVALID: '输入的内容有误，请检查后重试。',
    ENOTFOUND: '未找到该对象。它可能已被删除，或您无权查看。',
    ECONFLICT: '该对象已被他人修改，或此操作已不可行。请刷新后重试。',
    EUNAVAILABLE: '服务暂时繁忙，请稍后再试。',
    EINTERNAL: '系统出现问题，请稍后再试。',
    details: '详情：{message}',
  },
};

const known = new Set<string>(Object.keys(messages.en));

/** asApiError turns whatever was thrown into an ApiError. */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('EINTERNAL', err instanceof Error ? err.message : String(err));
}

/** ErrorMessage shows an API error as an alert; nothing when there is none. */
export function ErrorMessage({ error }: { error: unknown }) {
  const t = useMessages(messages);
  if (!error) {
    return null;
  }
  const e = asApiError(error);
  const code = (known.has(e.code) ? e.code : 'EINTERNAL') as Key;
  return (
    <div role="alert" className="error" data-code={e.code}>
      <p>{t(code)}</p>
      <p className="server-message">{t('details', { message: e.message })}</p>
    </div>
  );
}
