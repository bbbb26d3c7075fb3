// The web console managers use: the review queue, an audit in full, the
// corrective-action follow-up, the ratings and satisfaction dashboards, and
// administration, in zh-CN or en.

import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import type { Api } from "./api";
import { useI18n } from "./i18n";
import { Admin } from "./pages/Admin";
import { Detail } from "./pages/Detail";
import { FollowUps } from "./pages/FollowUps";
import { Login } from "./pages/Login";
import { Queue } from "./pages/Queue";

// The dashboards bring ECharts: loaded when first opened.
const Dashboard = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.Dashboard })));
const Satisfaction = lazy(() => import("./pages/Satisfaction").then((m) => ({ default: m.Satisfaction })));

type Page = "queue" | "followUps" | "ratings" | "satisfaction" | "admin";
type View = { page: Page } | { page: "detail"; doc: string; from: Page };

/** `onSignedOut`: inside the app, signing out goes back to the app's sign-in. */
export function App({ api, onSignedOut }: { api: Api; onSignedOut?: () => void }) {
  const { t, locale, setLocale } = useI18n();
  const [signedIn, setSignedIn] = useState(api.signedIn());
  const [view, setView] = useState<View>({ page: "queue" });
  useEffect(() => {
    document.title = t("app.title");
    document.documentElement.lang = locale;
  }, [t, locale]);

  const role = signedIn ? api.role() : null;
  const pages: Page[] = ["queue", "followUps", "ratings", "satisfaction"];
  if (role === "admin" || role === "manager") pages.push("admin");
  const current: Page = view.page === "detail" ? view.from : view.page;
  const open = (doc: string) => setView({ page: "detail", doc, from: current });
  const charts = (node: ReactNode) => <Suspense fallback={<p aria-busy="true" />}>{node}</Suspense>;

  let main;
  if (!signedIn) main = <Login api={api} onSignedIn={() => setSignedIn(true)} />;
  else if (view.page === "detail") main = <Detail api={api} doc={view.doc} back={() => setView({ page: view.from })} />;
  else if (view.page === "ratings") main = charts(<Dashboard api={api} />);
  else if (view.page === "satisfaction") main = charts(<Satisfaction api={api} />);
  else if (view.page === "followUps") main = <FollowUps api={api} open={open} />;
  else if (view.page === "admin") main = <Admin api={api} role={role} />;
  else main = <Queue api={api} open={open} />;

  return (
    <>
      <header className="top">
        <strong>{t("app.title")}</strong>
        <nav>
          {signedIn &&
            pages.map((p) => (
              <button key={p} type="button" aria-current={current === p ? "page" : undefined} onClick={() => setView({ page: p })}>
                {t(`nav.${p}`)}
              </button>
            ))}
          <button type="button" onClick={() => setLocale(locale === "zh-CN" ? "en" : "zh-CN")}>
            {t("locale.switch")}
          </button>
          {signedIn && (
            <button type="button" onClick={() => api.logout().finally(() => (onSignedOut ? onSignedOut() : setSignedIn(false)))}>
              {t("nav.logout")}
            </button>
          )}
        </nav>
      </header>
      <main>{main}</main>
    </>
  );
}
