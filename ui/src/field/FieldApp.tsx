// The app inspectors and surveyors carry: sign in once online, then work
// offline from the device (Tauri commands over the device store). Managers
// and administrators who sign in get the web console, online, in the window.

import { useEffect, useState, type FormEvent } from "react";
import { MemoryRouter } from "react-router";
import { App } from "../App";
import type { FieldApi } from "../api/field";
import { HttpApi } from "../api/http";
import type { Session } from "../api/types";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { Credentials } from "../pages/Login";
import { Form } from "./Form";
import { Home, type Open } from "./Home";
import { Intercept } from "./Intercept";
import { SyncBar } from "./SyncBar";

function FieldLogin({
  api,
  onSignedIn,
  onManager,
}: {
  api: FieldApi;
  onSignedIn: (s: Session) => void;
  /** Managers and administrators: the console, online, against `server`. */
  onManager: (server: string, username: string, password: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [server, setServer] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [enrolment, setEnrolment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.defaults().then((d) => setServer((s) => s || d.server), () => {});
  }, [api]);

  const explain = (err: unknown) => {
    const { code, message } = err as { code?: string; message?: string };
    if (code === "network" && message?.includes("not trusted on this device")) return t("login.untrusted");
    const known: Record<string, MessageKey> = {
      invalid_credentials: "login.failed",
      network: "error.network",
      field_role_only: "login.fieldOnly",
      invalid_enrolment: "enrol.invalid",
      bad_enrolment: "enrol.bad",
    };
    const key = code ? known[code] : undefined;
    return key ? t(key) : t("error.unknown", { message: message ?? String(err) });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      try {
        onSignedIn(await api.login(server, username, password));
      } catch (err) {
        if ((err as { code?: string }).code !== "field_role_only") throw err;
        await onManager(server, username, password);
      }
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  async function enrol(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.enrol(enrolment, server || null));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form onSubmit={submit} aria-label={t("login.title")}>
        <h1>{t("login.title")}</h1>
        <p className="hint">{t("login.onceOnline")}</p>
        <label>
          {t("login.server")}
          <input name="server" type="url" value={server} onChange={(e) => setServer(e.target.value)} required />
        </label>
        <Credentials username={username} password={password} setUsername={setUsername} setPassword={setPassword} />
        <button type="submit" className="primary" disabled={busy}>
          {t("login.submit")}
        </button>
      </form>
      <form onSubmit={enrol} aria-label={t("enrol.title")}>
        <h2>{t("enrol.title")}</h2>
        <label>
          {t("enrol.input")}
          <input name="enrolment" value={enrolment} onChange={(e) => setEnrolment(e.target.value)} required autoComplete="off" />
        </label>
        <p className="hint">{t("enrol.hint")}</p>
        <button type="submit" disabled={busy}>
          {t("enrol.submit")}
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}

export function FieldApp({ api }: { api: FieldApi }) {
  const { t, locale, setLocale } = useI18n();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [open, setOpen] = useState<Open | null>(null);
  // A manager or administrator signed in: the web console, in the window.
  const [consoleApi, setConsoleApi] = useState<HttpApi | null>(null);
  useEffect(() => {
    api.session().then(setSession, () => setSession(null));
  }, [api]);
  useEffect(() => {
    document.title = t("app.title");
    document.documentElement.lang = locale;
  }, [t, locale]);

  // The console's pages in the window: addresses kept in memory.
  if (consoleApi)
    return (
      <MemoryRouter>
        <App api={consoleApi} onSignedOut={() => setConsoleApi(null)} />
      </MemoryRouter>
    );
  const manager = async (server: string, username: string, password: string) => {
    const http = new HttpApi(server.replace(/\/+$/, ""), sessionStorage);
    await http.login(username, password);
    setConsoleApi(http);
  };

  let main;
  if (session === undefined) main = <p aria-busy="true" />;
  else if (session === null) main = <FieldLogin api={api} onSignedIn={setSession} onManager={manager} />;
  else if (open?.page === "form")
    main = <Form api={api} doc={open.doc} storeName={open.store} onDone={() => setOpen(null)} />;
  else if (open?.page === "intercept")
    main = <Intercept api={api} assignment={open.assignment} store={open.store} onExit={() => setOpen(null)} />;
  else main = <Home api={api} open={setOpen} />;

  return (
    <>
      <header className="top">
        <strong>{t("app.title")}</strong>
        {session && (
          <span className="who">
            {session.user} · {t(`role.${session.role}` as MessageKey)}
          </span>
        )}
        <nav>
          <button type="button" onClick={() => setLocale(locale === "zh-CN" ? "en" : "zh-CN")}>
            {t("locale.switch")}
          </button>
          {session && (
            <button
              type="button"
              onClick={() =>
                api.logout().finally(() => {
                  setOpen(null);
                  setSession(null);
                })
              }
            >
              {t("nav.logout")}
            </button>
          )}
        </nav>
      </header>
      {session && <SyncBar api={api} />}
      <main>{main}</main>
    </>
  );
}
