// Daily monitoring and weekly tracking (日监测、周跟踪): what changed on a
// day in the user's scope (or a unit) — records submitted, knock-out
// standards failed, hotlines below target, actions gone overdue — and a
// unit's indicators week by week against their targets.

import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { Api, Daily, Weekly } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { recordPath } from "../paths";
import { UnitPicker, useDirectory } from "./directory";
import { periodOf, useParams } from "./periods";

function Mark({ meets }: { meets: boolean | null | undefined }) {
  const { t } = useI18n();
  if (meets == null) return null;
  return <small className={meets ? "ok" : "danger"}> {t(meets ? "hotline.meets" : "hotline.misses")}</small>;
}

export function Monitoring({ api }: { api: Api }) {
  const { t, number, pick, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [params, setParam] = useParams();
  const today = periodOf(new Date(), "day");
  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get("date") ?? "") ? params.get("date")! : today;
  const roots = dir.units.filter((u) => !u.parent || !dir.units.some((p) => p.id === u.parent));
  const unit = params.get("unit") ?? "";
  const tracked = unit || roots[0]?.id || "";
  const [daily, setDaily] = useState<Daily | null>(null);
  const [weekly, setWeekly] = useState<Weekly | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.monitorDay({ date, ...(unit ? { unit } : {}) }).then(
      (d) => live && (setDaily(d), setError(null)),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, date, unit, errorText]);
  useEffect(() => {
    if (!tracked) return;
    let live = true;
    api.monitorWeeks({ unit: tracked, today, weeks: "8" }).then(
      (w) => live && setWeekly(w),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, tracked, today, errorText]);

  const none = <p className="muted">{t("monitor.none")}</p>;
  return (
    <section className="monitoring">
      <h1>{t("monitor.title")}</h1>
      {error && <p role="alert">{error}</p>}
      <div className="filters">
        <UnitPicker dir={dir} value={unit} onChange={(id) => setParam({ unit: id })} label={t("bulletin.unit")} />
        <label>
          {t("monitor.date")}
          <input type="date" name="date" value={date} max={today} onChange={(e) => setParam({ date: e.target.value === today ? "" : e.target.value })} />
        </label>
      </div>
      <h2>{t("monitor.daily", { date })}</h2>
      {daily && (
        <div className="grid2">
          <div className="card">
            <h3>{t("monitor.submitted")}</h3>
            {daily.submitted.length === 0
              ? none
              : (
                <table>
                  <tbody>
                    {daily.submitted.map((s) => (
                      <tr key={`${s.template_id}-${s.mode}`}>
                        <th scope="row">
                          {dir.templateName(s.template_id)} <small>{t(`mode.${s.mode}` as MessageKey)}</small>
                        </th>
                        <td>{t("monitor.records", { n: s.records })}</td>
                        <td>{s.mean_score != null ? t("hotline.meanScore", { score: number(s.mean_score) }) : ""}</td>
                        <td>{s.not_passed > 0 ? t("monitor.notPassed", { n: s.not_passed }) : ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
          </div>
          <div className="card">
            <h3>{t("monitor.knockouts")}</h3>
            {daily.knockouts.length === 0
              ? none
              : (
                <ul>
                  {daily.knockouts.map((k) => (
                    <li key={`${k.doc_id}-${k.item_id}`}>
                      <Link to={recordPath(k.doc_id)}>{dir.unitName(k.store_id)}</Link>: {t("monitor.failed", { item: pick(k.label_zh, k.label_en) })}
                    </li>
                  ))}
                </ul>
              )}
          </div>
          <div className="card">
            <h3>{t("monitor.hotlines")}</h3>
            {daily.hotlines_below.length === 0
              ? none
              : (
                <ul>
                  {daily.hotlines_below.map((h) => (
                    <li key={h.hotline}>
                      <span title={h.hotline}>{pick(h.name_zh, h.name_en)}</span>: {t("monitor.below", { value: `${number(100 * h.service_level)}%`, target: `${number(100 * h.target, 0)}%`, calls: h.calls })}
                    </li>
                  ))}
                </ul>
              )}
          </div>
          <div className="card">
            <h3>{t("monitor.overdue")}</h3>
            {daily.overdue.length === 0
              ? none
              : (
                <ul>
                  {daily.overdue.map((o) => (
                    <li key={`${o.doc_id}-${o.action_id}`}>
                      <Link to={recordPath(o.doc_id)}>{dir.unitName(o.store_id)}</Link>: {o.description} <small>({dir.personName(o.assignee)}, {o.due})</small>
                    </li>
                  ))}
                </ul>
              )}
          </div>
        </div>
      )}
      <h2 id="weekly">{t("monitor.weekly", { unit: tracked ? dir.unitName(tracked) : "" })}</h2>
      {weekly && (
        <div className="scroll">
          <table className="league" aria-labelledby="weekly">
            <thead>
              <tr>
                <th scope="col">{t("monitor.week")}</th>
                <th scope="col">{t("monitor.compliance")}</th>
                <th scope="col">{t("kpi.service_level")}</th>
                <th scope="col">{t("monitor.opened")}</th>
                <th scope="col">{t("monitor.closed")}</th>
                <th scope="col">{t("monitor.overdueEnd")}</th>
              </tr>
            </thead>
            <tbody>
              {weekly.weeks.map((w) => (
                <tr key={w.week}>
                  <th scope="row">{w.week}</th>
                  <td>
                    {w.compliance != null ? number(w.compliance) : t("score.suppressed")}
                    <Mark meets={w.compliance_meets} />
                  </td>
                  <td>
                    {w.service_level != null ? `${number(100 * w.service_level)}%` : "–"}
                    <Mark meets={w.service_level_meets} />
                  </td>
                  <td>{w.actions_opened}</td>
                  <td>{w.actions_closed}</td>
                  <td className={w.actions_overdue > 0 ? "bad" : undefined}>{w.actions_overdue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
