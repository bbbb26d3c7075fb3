// The locale, switchable at run time and remembered on the device, with
// messages and number and date formats that follow it, and the server's
// messages (a code and parameters) rendered in it.

import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { en, zhCN, type MessageKey } from "./messages";
import serverCodes from "./server-codes.json";
import { serverZh } from "./server";

export type Locale = "zh-CN" | "en";

const LOCALE_KEY = "fieldcheck.locale";

/** The language chosen last on this device, else the browser's. */
export function rememberedLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(LOCALE_KEY);
  if (stored === "zh-CN" || stored === "en") return stored;
  return globalThis.navigator?.language?.startsWith("zh") ? "zh-CN" : "en";
}

/** A message of the server's: a code, its parameters (text or messages of their own) and its English text. */
export interface ServerMessage {
  key?: string | null;
  params?: Record<string, unknown> | null;
  text?: string | null;
}

const serverEn: Record<string, string> = Object.fromEntries(
  Object.entries(serverCodes as Record<string, { en: string }>).map(([k, v]) => [k, v.en]),
);
const serverCatalogs: Record<Locale, Record<string, string>> = { "zh-CN": serverZh, en: serverEn };

const fill = (text: string, vars: (name: string) => string | undefined) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => vars(name) ?? whole);

/** A server message in `locale`; its English text when the code is unknown here (a newer server). */
export function renderServerMessage(locale: Locale, m: ServerMessage): string {
  const text = m.key ? serverCatalogs[locale][m.key] : undefined;
  if (!text) return m.text ?? m.key ?? "";
  return fill(text, (name) => {
    const v = m.params?.[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "object") return renderServerMessage(locale, v as ServerMessage);
    return String(v);
  });
}

const catalogs: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export interface I18n {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  number: (x: number, digits?: number) => string;
  /** A moment; in `timeZone` (a store's, so that console, report and exports agree) if given. */
  dateTime: (ms: number, timeZone?: string) => string;
  /** The one of a pair of the server's texts (`name_zh`/`name_en`...) for the locale. */
  pick: <T>(zh: T, en: T) => T;
  /** A message of the server's in this language. */
  server: (m: ServerMessage) => string;
  /** What went wrong, for people: a server message, no network, or the error's own text. */
  error: (e: unknown) => string;
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const catalog = catalogs[locale];
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const plural = new Intl.PluralRules(locale);
  return {
    locale,
    setLocale,
    t: (key, vars) =>
      (catalog[key] ?? key)
        // `{n|action|actions}`: the word for the count `n`, by the language's plural rules.
        .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (_, name: string, one: string, other: string) =>
          plural.select(Number(vars?.[name])) === "one" ? one : other,
        )
        .replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`)),
    number: (x, digits = 1) =>
      new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x),
    dateTime: (ms, timeZone) => {
      if (!timeZone) return dt.format(new Date(ms));
      try {
        return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(ms));
      } catch {
        return dt.format(new Date(ms));
      }
    },
    pick: (zh, en) => (locale === "zh-CN" ? zh : en),
    server: (m) => renderServerMessage(locale, m),
    error: (e) => {
      const err = e as { code?: string; key?: string | null; params?: Record<string, unknown>; message?: string };
      if (err?.code === "network") return catalog["error.network"];
      if (err?.key) return renderServerMessage(locale, { key: err.key, params: err.params, text: err.message });
      return err?.message ?? String(e);
    },
  };
}

const Context = createContext<I18n>(makeI18n("zh-CN", () => {}));

/** `remember`: keep the user's choice on the device (the console and the app do; tests do not). */
export function I18nProvider({ children, initial = "zh-CN", remember = false }: { children: ReactNode; initial?: Locale; remember?: boolean }) {
  const [locale, setLocale] = useState<Locale>(initial);
  const value = useMemo(
    () =>
      makeI18n(locale, (l) => {
        if (remember) localStorage.setItem(LOCALE_KEY, l);
        setLocale(l);
      }),
    [locale, remember],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useI18n = () => useContext(Context);
