// One store's page: where it is, its compliance score over the months with
// the interval, its audits, and its corrective actions still open.

import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { Api, FollowUp, Queue, Rating } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { recordPath } from "../paths";
import { Trend } from "./Dashboard";
import { useDirectory } from "./directory";
import { localToday } from "./FollowUps";

export function Store({ api, id }: { api: Api; id: string }) {
  const { t, pick, number, dateTime, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [ratings, setRatings] = useState<Rating[]>([]);
  const [audits, setAudits] = useState<Queue | null>(null);
  const [actions, setActions] = useState<FollowUp[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const fail = (e: unknown) => live && setError(errorText(e));
    api.ratings({ unit: id, granularity: "month" }).then((r) => live && setRatings(r.filter((x) => x.unit === id)), fail);
    api
      .queue({ store: id, status: ["submitted", "resubmitted", "returned", "approved"], limit: 20 })
      .then((q) => live && setAudits(q), fail);
    api.followUps({ store: id, status: ["open", "done"], today: localToday() }).then((a) => live && setActions(a), fail);
    return () => {
      live = false;
    };
  }, [api, id, errorText]);
  const unit = dir.units.find((u) => u.id === id);
  const points = [...ratings].sort((a, b) => a.period.localeCompare(b.period));
  return (
    <section className="store-page">
      <h1 title={id}>{dir.unitName(id)}</h1>
      {unit && (
        <p className="hint">
          {[unit.channel && t(`channel.${unit.channel}` as MessageKey), unit.address, id].filter(Boolean).join(" · ")}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      <h2>{t("store.history")}</h2>
      {points.some((p) => p.score != null || p.estimate.mean != null) ? (
        <Trend points={points} name={dir.unitName(id)} />
      ) : (
        <p className="hint">{t(points.length > 0 ? "store.tooFew" : "store.noRatings")}</p>
      )}
      <div className="grid2">
        <section>
          <h2>{t("store.audits")}</h2>
          {audits && audits.records.length === 0 && <p>{t("queue.empty")}</p>}
          <ul className="plain">
            {audits?.records.map((r) => (
              <li key={r.doc_id}>
                <Link to={recordPath(r.doc_id)}>
                  {dateTime(r.started_at)} · {dir.templateName(r.template_id)}
                </Link>{" "}
                · {r.score == null ? "—" : number(r.score)} · {t(`status.${r.status}` as MessageKey)}
              </li>
            ))}
          </ul>
        </section>
        <section>
          <h2>{t("store.actions")}</h2>
          {actions.length === 0 && <p>{t("follow.empty")}</p>}
          <ul className="plain">
            {actions.map((a) => (
              <li key={`${a.doc_id}/${a.action_id}`} className={a.overdue ? "overdue" : ""}>
                <Link to={recordPath(a.doc_id)}>{pick(a.label_zh, a.label_en) ?? a.item_id}</Link>: {a.description} · {a.due} ·{" "}
                {t(`action.${a.status}` as MessageKey)}
                {a.overdue && <span className="badge danger">{t("follow.overdue")}</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </section>
  );
}
