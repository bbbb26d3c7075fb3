import { useState, type FormEvent } from "react";
import { ApiError, type Api } from "../api";
import { useI18n } from "../i18n";

/** `notice`: why the user is asked to sign in again, if they were signed in. */
export function Login({ api, onSignedIn, notice = null }: { api: Api; onSignedIn: () => void; notice?: string | null }) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(username, password);
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_credentials") setError(t("login.failed"));
      else if (err instanceof ApiError && err.code === "network") setError(t("error.network"));
      else setError(t("error.unknown", { message: String((err as Error).message) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="login" onSubmit={submit} aria-label={t("login.title")}>
      <h1>{t("login.title")}</h1>
      {notice && <p role="status">{notice}</p>}
      <Credentials username={username} password={password} setUsername={setUsername} setPassword={setPassword} />
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        {t("login.submit")}
      </button>
    </form>
  );
}

/** The user name and password fields, shared by the console and the app. */
export function Credentials(p: {
  username: string;
  password: string;
  setUsername: (v: string) => void;
  setPassword: (v: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t("login.username")}
        <input name="username" autoComplete="username" value={p.username} onChange={(e) => p.setUsername(e.target.value)} required />
      </label>
      <label>
        {t("login.password")}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={p.password}
          onChange={(e) => p.setPassword(e.target.value)}
          required
        />
      </label>
    </>
  );
}
