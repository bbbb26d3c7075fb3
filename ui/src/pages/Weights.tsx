// Construct weights by PLS path modelling: estimated from the responses the
// satisfaction page shows (questionnaire, unit, dates) and kept as weight
// sets; an administrator publishes a set as a new version of the
// questionnaire, whose indices then carry the set's name.

import { useEffect, useState } from "react";
import type { Api, WeightSet } from "../api";
import { useI18n } from "../i18n";

export function Weights({
  api,
  role,
  template,
  unit,
  from,
  to,
  unitName = (id) => id,
  personName = (id) => id,
}: {
  api: Api;
  role: string | null;
  template: string;
  unit?: string;
  from?: number;
  to?: number;
  /** A unit's name in the reader's language, and a person's. */
  unitName?: (id: string) => string;
  personName?: (id: string) => string;
}) {
  const { t, pick, number, dateTime, error: errorText } = useI18n();
  const [sets, setSets] = useState<WeightSet[]>([]);
  const [shown, setShown] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    setSets([]);
    setDone(null);
    api.weightSets(template).then(
      (s) => {
        setSets(s);
        setShown(s[0]?.set_id ?? "");
      },
      (e) => setError(errorText(e)),
    );
  }, [api, template]);

  const estimate = () => {
    setBusy(true);
    setError(null);
    setDone(null);
    api
      .estimateWeights(template, unit, from, to)
      .then(
        (set) => {
          setSets((cur) => [set, ...cur]);
          setShown(set.set_id);
        },
        (e) => setError(errorText(e)),
      )
      .finally(() => setBusy(false));
  };
  const publish = (set: string) => {
    setBusy(true);
    setError(null);
    api
      .publishWeights(template, set)
      .then(
        (p) => setDone(t(p.new ? "weights.published" : "weights.alreadyPublished", { set, version: p.version.slice(0, 8) })),
        (e) => setError(errorText(e)),
      )
      .finally(() => setBusy(false));
  };

  const set = sets.find((s) => s.set_id === shown);
  const label = (id: string) => {
    const l = set?.labels[id] as { "zh-CN": string; en: string } | undefined;
    return l ? pick(l["zh-CN"], l.en) : id;
  };
  return (
    <section className="weights">
      <h2>{t("weights.title")}</h2>
      <p className="hint">{t("weights.hint")}</p>
      <div className="filters">
        <button type="button" disabled={busy} onClick={estimate}>
          {busy ? t("weights.estimating") : t("weights.estimate")}
        </button>
        {sets.length > 0 && (
          <label>
            {t("weights.set")}
            <select name="weight-set" value={shown} onChange={(e) => setShown(e.target.value)}>
              {sets.map((s) => (
                <option key={s.set_id} value={s.set_id}>
                  {s.set_id}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {error && <p role="alert">{error}</p>}
      {done && <p role="status">{done}</p>}
      {set && (
        <>
          <p>
            {t("weights.estimated", {
              n: set.weights.respondents,
              unit: unitName(set.unit),
              at: dateTime(set.estimated_at),
              by: personName(set.estimated_by),
            })}
          </p>
          <div className="scroll">
            <table className="weights-table">
              <thead>
                <tr>
                  <th>{t("sat.construct")}</th>
                  <th>{t("weights.item")}</th>
                  <th>{t("weights.weight")}</th>
                  <th>{t("weights.loading")}</th>
                  <th>{t("weights.answered")}</th>
                  <th>R²</th>
                </tr>
              </thead>
              <tbody>
                {set.weights.constructs.flatMap((c) =>
                  c.items.map((i, k) => (
                    <tr key={`${c.construct}/${i.item}`} data-item={i.item} className={i.weight < 0 ? "overdue" : ""}>
                      <td>{k === 0 ? label(c.construct) : ""}</td>
                      <td title={i.item}>{label(i.item)}</td>
                      <td>{number(i.weight, 3)}</td>
                      <td>{number(i.loading, 2)}</td>
                      <td>{i.answered}</td>
                      <td>{k === 0 && c.r_squared != null ? number(c.r_squared, 2) : ""}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
          <h3>{t("weights.paths")}</h3>
          <ul className="paths">
            {set.weights.paths.map((p) => (
              <li key={`${p.from}>${p.to}`}>
                {label(p.from)} → {label(p.to)}: {number(p.coefficient, 2)}
              </li>
            ))}
          </ul>
          {role === "admin" && (
            <button type="button" disabled={busy} onClick={() => publish(set.set_id)}>
              {t("weights.publish")}
            </button>
          )}
        </>
      )}
    </section>
  );
}
