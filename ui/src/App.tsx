import { useState } from "react";
import type { Api } from "./api";
import { useI18n } from "./i18n";
import { Login } from "./pages/Login";
import { Queue } from "./pages/Queue";

export function App({ api }: { api: Api }) {
  const { t, locale, setLocale } = useI18n();
  const [signedIn, setSignedIn] = useState(api.signedIn());
  document.title = t("app.title");
  document.documentElement.lang = locale;

  return (
    <>
      <header>
        <strong>{t("app.title")}</strong>
        <nav>
          <button onClick={() => setLocale(locale === "zh-CN" ? "en" : "zh-CN")}>{t("locale.switch")}</button>
          {signedIn && (
            <button onClick={() => api.logout().finally(() => setSignedIn(false))}>{t("nav.logout")}</button>
          )}
        </nav>
      </header>
      <main>{signedIn ? <Queue api={api} /> : <Login api={api} onSignedIn={() => setSignedIn(true)} />}</main>
    </>
  );
}
