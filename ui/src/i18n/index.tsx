// The locale, switchable at run time, with messages and number and date
// formats that follow it.

import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { en, zhCN, type MessageKey } from "./messages";

export type Locale = "zh-CN" | "en";

const catalogs: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export interface I18n {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  number: (x: number, digits?: number) => string;
  dateTime: (ms: number) => string;
  /** The one of a pair of the server's texts (`name_zh`/`name_en`...) for the locale. */
  pick: <T>(zh: T, en: T) => T;
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const catalog = catalogs[locale];
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return {
    locale,
    setLocale,
    t: (key, vars) =>
      catalog[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`)),
    number: (x, digits = 1) =>
      new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x),
    dateTime: (ms) => dt.format(new Date(ms)),
    pick: (zh, en) => (locale === "zh-CN" ? zh : en),
  };
}

const Context = createContext<I18n>(makeI18n("zh-CN", () => {}));

export function I18nProvider({ children, initial = "zh-CN" }: { children: ReactNode; initial?: Locale }) {
  const [locale, setLocale] = useState<Locale>(initial);
  const value = useMemo(() => makeI18n(locale, setLocale), [locale]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useI18n = () => useContext(Context);
