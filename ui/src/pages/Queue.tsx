import { useEffect, useState } from "react";
import { ApiError, type Api, type Queue as QueueData } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

export function Queue({ api }: { api: Api }) {
  const { t, number, dateTime } = useI18n();
  const [data, setData] = useState<QueueData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api
      .queue({ status: ["submitted", "resubmitted"], limit: 100 })
      .then((q) => live && setData(q))
      .catch((e) => live && setError(e instanceof ApiError && e.code === "network" ? t("error.network") : String(e.message)));
    return () => {
      live = false;
    };
  }, [api, t]);

  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p aria-busy="true" />;
  return (
    <section>
      <h1>{t("queue.title")}</h1>
      <p>{t("queue.total", { n: data.total })}</p>
      {data.records.length === 0 ? (
        <p>{t("queue.empty")}</p>
      ) : (
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
              <tr key={r.doc_id}>
                <td>{r.store_id}</td>
                <td>{r.template_id}</td>
                <td>{r.author}</td>
                <td>{dateTime(r.started_at)}</td>
                <td>{r.score === null ? "—" : number(r.score)}</td>
                <td>{t(`status.${r.status}` as MessageKey)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
