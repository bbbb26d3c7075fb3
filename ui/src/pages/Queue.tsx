import { useEffect, useState } from "react";
import { ApiError, type Api, type Queue as QueueData, type Status } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

const STATUSES: Status[] = ["submitted", "resubmitted", "returned", "approved", "partial", "discarded"];

export function Queue({ api, open }: { api: Api; open: (doc: string) => void }) {
  const { t, number, dateTime } = useI18n();
  const [data, setData] = useState<QueueData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | "">("");
  const [store, setStore] = useState("");
  const [inspector, setInspector] = useState("");

  useEffect(() => {
    let live = true;
    api
      .queue({
        status: status ? [status] : ["submitted", "resubmitted"],
        store: store.trim() || undefined,
        inspector: inspector.trim() || undefined,
        limit: 100,
      })
      .then((q) => live && (setData(q), setError(null)))
      .catch((e) => live && setError(e instanceof ApiError && e.code === "network" ? t("error.network") : String(e.message)));
    return () => {
      live = false;
    };
  }, [api, t, status, store, inspector]);

  return (
    <section>
      <h1>{t("queue.title")}</h1>
      <div className="filters">
        <label>
          {t("queue.status")}
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
            <option value="">{t("queue.toReview")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("queue.store")}
          <input name="store" value={store} placeholder="sc/cd" onChange={(e) => setStore(e.target.value)} />
        </label>
        <label>
          {t("queue.inspector")}
          <input name="inspector" value={inspector} onChange={(e) => setInspector(e.target.value)} />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {data && <p>{t("queue.total", { n: data.total })}</p>}
      {data && data.records.length === 0 ? (
        <p>{t("queue.empty")}</p>
      ) : (
        data && (
          <table>
            <thead>
              <tr>
                <th>{t("queue.store")}</th>
                <th>{t("queue.template")}</th>
                <th>{t("queue.inspector")}</th>
                <th>{t("queue.started")}</th>
                <th>{t("queue.score")}</th>
                <th>{t("queue.status")}</th>
              </tr>
            </thead>
            <tbody>
              {data.records.map((r) => (
                <tr key={r.doc_id} className="clickable" onClick={() => open(r.doc_id)} data-doc={r.doc_id}>
                  <td>{r.store_id}</td>
                  <td>
                    {r.template_id}
                    {r.mode === "mystery" && <span className="badge covert">{t("mode.mystery")}</span>}
                  </td>
                  <td>{r.author}</td>
                  <td>{dateTime(r.started_at)}</td>
                  <td>{r.score == null ? "—" : number(r.score)}</td>
                  <td>{t(`status.${r.status}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
    </section>
  );
}
