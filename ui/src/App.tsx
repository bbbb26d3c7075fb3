// The web console managers use: the review queue, an audit in full, and
// the ratings dashboard, in zh-CN or en.

import { lazy, Suspense, useEffect, useState } from "react";
import type { Api } from "./api";
import { useI18n } from "./i18n";
import { Detail } from "./pages/Detail";
import { Login } from "./pages/Login";
import { Queue } from "./pages/Queue";

// The dashboard brings ECharts: loaded when first opened.
const Dashboard = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.Dashboard })));

type View = { page: "queue" } | { page: "detail"; doc: string } | { page: "ratings" };

export function App({ api }: { api: Api }) {
  const { t, locale, setLocale } = useI18n();
  const [signedIn, setSignedIn] = useState(api.signedIn());
  const [view, setView] = useState<View>({ page: "queue" });
  useEffect(() => {
    document.title = t("app.title");
    document.documentElement.lang = locale;
  }, [t, locale]);

  let main;
  if (!signedIn) main = <Login api={api} onSignedIn={() => setSignedIn(true)} />;
  else if (view.page === "detail") main = <Detail api={api} doc={view.doc} back={() => setView({ page: "queue" })} />;
  else if (view.page === "ratings") main = (
      <Suspense fallback={<p aria-busy="true" />}>
        <Dashboard api={api} />
      </Suspense>
    );
  else main = <Queue api={api} open={(doc) => setView({ page: "detail", doc })} />;

  return (
    <>
      <header className="top">
        <strong>{t("app.title")}</strong>
        <nav>
          {signedIn && (
            <>
              <button type="button" aria-current={view.page !== "ratings" ? "page" : undefined} onClick={() => setView({ page: "queue" })}>
                {t("nav.queue")}
              </button>
              <button type="button" aria-current={view.page === "ratings" ? "page" : undefined} onClick={() => setView({ page: "ratings" })}>
                {t("nav.ratings")}
              </button>
            </>
          )}
          <button type="button" onClick={() => setLocale(locale === "zh-CN" ? "en" : "zh-CN")}>
            {t("locale.switch")}
          </button>
          {signedIn && (
            <button type="button" onClick={() => api.logout().finally(() => setSignedIn(false))}>
              {t("nav.logout")}
            </button>
          )}
        </nav>
      </header>
      <main>{main}</main>
    </>
  );
}
