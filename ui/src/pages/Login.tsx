import { useState, type FormEvent } from "react";
import { ApiError, type Api } from "../api";
import { useI18n } from "../i18n";

export function Login({ api, onSignedIn }: { api: Api; onSignedIn: () => void }) {
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
      <label>
        {t("login.username")}
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
      </label>
      <label>
        {t("login.password")}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        {t("login.submit")}
      </button>
    </form>
  );
}
