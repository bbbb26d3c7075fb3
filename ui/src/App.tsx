// The web console managers use: the review queue, an audit in full, the
// corrective-action follow-up, the ratings and satisfaction dashboards, and
// administration, in zh-CN or en. Every page and every record has its own
// address (react-router), so Back, reload, bookmarks and new tabs work; the
// caller picks the router (the browser's history in a browser, memory in
// the app's window).

import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate, useParams } from "react-router";
import type { Api } from "./api";
import { useI18n } from "./i18n";
import { Admin } from "./pages/Admin";
import { Detail } from "./pages/Detail";
import { FollowUps } from "./pages/FollowUps";
import { Login } from "./pages/Login";
import { Queue } from "./pages/Queue";
import { Report } from "./pages/Report";
import { Notifications, useUnread } from "./pages/Notifications";
import { NOTIFICATIONS, PATHS, pagesFor, recordPath } from "./paths";

// The dashboards bring ECharts: loaded when first opened.
const Dashboard = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.Dashboard })));
const Store = lazy(() => import("./pages/Store").then((m) => ({ default: m.Store })));
const Hotline = lazy(() => import("./pages/Hotline").then((m) => ({ default: m.Hotline })));
const Scorecards = lazy(() => import("./pages/Scorecards").then((m) => ({ default: m.Scorecards })));
const Bulletins = lazy(() => import("./pages/Bulletins").then((m) => ({ default: m.Bulletins })));
const Monitoring = lazy(() => import("./pages/Monitoring").then((m) => ({ default: m.Monitoring })));
const Satisfaction = lazy(() => import("./pages/Satisfaction").then((m) => ({ default: m.Satisfaction })));

function StorePage({ api }: { api: Api }) {
  const { id = "" } = useParams();
  return <Store api={api} id={id} />;
}

/** A record, or its printable report (`report`). */
function RecordPage({ api, report = false }: { api: Api; report?: boolean }) {
  const { doc = "" } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  // Back to where the user came from; from a link opened on its own, up one level.
  const back = () => (location.key !== "default" ? navigate(-1) : navigate(report ? recordPath(doc) : PATHS.queue));
  return report ? <Report api={api} doc={doc} back={back} /> : <Detail api={api} doc={doc} back={back} />;
}

/** `onSignedOut`: inside the app, signing out goes back to the app's sign-in. */
export function App({ api, onSignedOut }: { api: Api; onSignedOut?: () => void }) {
  const { t, locale, setLocale } = useI18n();
  const [signedIn, setSignedIn] = useState(api.signedIn());
  const [expired, setExpired] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    document.title = t("app.title");
    document.documentElement.lang = locale;
  }, [t, locale]);
  // A session that ends (expired or revoked) brings the sign-in back on the
  // same address, which opens again once signed in.
  useEffect(
    () =>
      api.onSignedOut(() => {
        setSignedIn(false);
        setExpired(true);
      }),
    [api],
  );

  const role = signedIn ? api.role() : null;
  const [unread, refreshUnread] = useUnread(api, signedIn);
  const pages = pagesFor(role);
  const current = pages.find((p) => location.pathname.startsWith(PATHS[p]));
  const open = (doc: string) => navigate(recordPath(doc));
  const charts = (node: ReactNode) => <Suspense fallback={<p aria-busy="true" />}>{node}</Suspense>;

  const main = !signedIn ? (
    <Login
      api={api}
      notice={expired ? t("login.expired") : null}
      onSignedIn={() => {
        setExpired(false);
        setSignedIn(true);
      }}
    />
  ) : (
    <Routes>
      <Route path="/" element={<Navigate to={PATHS.queue} replace />} />
      <Route path={PATHS.queue} element={<Queue api={api} open={open} />} />
      <Route path="/records/:doc" element={<RecordPage api={api} />} />
      <Route path="/records/:doc/report" element={<RecordPage api={api} report />} />
      <Route path="/stores/:id" element={charts(<StorePage api={api} />)} />
      <Route path={PATHS.followUps} element={<FollowUps api={api} open={open} role={role} />} />
      <Route path={PATHS.ratings} element={charts(<Dashboard api={api} />)} />
      {pages.includes("hotline") && <Route path={PATHS.hotline} element={charts(<Hotline api={api} role={role} />)} />}
      {pages.includes("scorecards") && <Route path={PATHS.scorecards} element={charts(<Scorecards api={api} role={role} />)} />}
      {pages.includes("bulletins") && <Route path={PATHS.bulletins} element={charts(<Bulletins api={api} />)} />}
      {pages.includes("monitoring") && <Route path={PATHS.monitoring} element={charts(<Monitoring api={api} />)} />}
      <Route path={PATHS.satisfaction} element={charts(<Satisfaction api={api} role={role} />)} />
      {pages.includes("admin") && <Route path={PATHS.admin} element={<Admin api={api} role={role} />} />}
      <Route path={NOTIFICATIONS} element={<Notifications api={api} onRead={refreshUnread} />} />
      <Route path="*" element={<p role="alert">{t("nav.notFound")}</p>} />
    </Routes>
  );

  return (
    <>
      <header className="top">
        <strong>{t("app.title")}</strong>
        <nav>
          {signedIn &&
            pages.map((p) => (
              <Link key={p} to={PATHS[p]} aria-current={current === p ? "page" : undefined}>
                {t(`nav.${p}`)}
              </Link>
            ))}
          {signedIn && (
            <Link
              to={NOTIFICATIONS}
              aria-current={location.pathname === NOTIFICATIONS ? "page" : undefined}
              aria-label={t("notify.unread", { n: unread })}
            >
              {t("notify.title")}
              {unread > 0 && <span className="badge danger">{unread}</span>}
            </Link>
          )}
          <button type="button" onClick={() => setLocale(locale === "zh-CN" ? "en" : "zh-CN")}>
            {t("locale.switch")}
          </button>
          {signedIn && (
            <button
              type="button"
              onClick={() =>
                api.logout().finally(() => {
                  setExpired(false);
                  if (onSignedOut) onSignedOut();
                  else {
                    setSignedIn(false);
                    navigate("/");
                  }
                })
              }
            >
              {t("nav.logout")}
            </button>
          )}
        </nav>
      </header>
      <main>{main}</main>
    </>
  );
}
