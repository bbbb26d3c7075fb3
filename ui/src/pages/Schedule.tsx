// The schedule: waves of visits planned over months (each store of a
// channel N times a month on random days, spread over the inspectors in
// scope), previewed on a calendar before they become assignments, and the
// assignments already given, on the same calendar.

import { useEffect, useMemo, useState, type FormEvent } from "react";
import type { Api, Assignment, Planned, Wave } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { ChecklistOptions, UnitPicker, useDirectory } from "./directory";

export interface CalendarEvent {
  /** YYYY-MM-DD */
  date: string;
  label: string;
  planned?: boolean;
}

/** The weeks of a month (Monday first), each seven days or blanks. */
export function monthGrid(month: string): (string | null)[][] {
  const [y, m] = month.split("-").map(Number);
  const days = new Date(y, m, 0).getDate();
  const lead = (new Date(y, m - 1, 1).getDay() + 6) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= days; d++) cells.push(`${month}-${String(d).padStart(2, "0")}`);
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** A month as a calendar, each day with its events. */
export function Calendar({ month, events }: { month: string; events: CalendarEvent[] }) {
  const { t, locale } = useI18n();
  const byDay = useMemo(() => {
    const m = new Map<string, CalendarEvent[]>();
    for (const e of events) m.set(e.date, [...(m.get(e.date) ?? []), e]);
    return m;
  }, [events]);
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "short" });
  const names = [...Array(7)].map((_, i) => weekday.format(new Date(2026, 10, 30 + i))); // a Monday
  return (
    <table className="calendar" aria-label={t("schedule.calendar", { month })}>
      <thead>
        <tr>
          {names.map((n) => (
            <th key={n} scope="col">
              {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {monthGrid(month).map((week, i) => (
          <tr key={i}>
            {week.map((day, j) => {
              const list = day ? (byDay.get(day) ?? []) : [];
              return (
                <td key={j} data-day={day ?? undefined} className={list.some((e) => e.planned) ? "planned" : ""}>
                  {day && <span className="day">{Number(day.slice(8))}</span>}
                  {list.length > 0 && (
                    <ul>
                      {list.slice(0, 4).map((e, k) => (
                        <li key={k}>{e.label}</li>
                      ))}
                      {list.length > 4 && <li>{t("schedule.more", { n: list.length - 4 })}</li>}
                    </ul>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const thisMonth = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
};

/** The months from `from` to `to`, YYYY-MM, at most 12. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number);
  while (out.length < 12) {
    const s = `${y}-${String(m).padStart(2, "0")}`;
    if (s > to) break;
    out.push(s);
    m += 1;
    if (m > 12) (m = 1), (y += 1);
  }
  return out;
}

export function Schedule({ api }: { api: Api }) {
  const { t, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [assignments, setAssignments] = useState<Assignment[]>([]);
  const [template, setTemplate] = useState("");
  const [mode, setMode] = useState("");
  const [unit, setUnit] = useState("");
  const [from, setFrom] = useState(thisMonth());
  const [to, setTo] = useState(thisMonth());
  const [perStore, setPerStore] = useState(2);
  const [plan, setPlan] = useState<Planned | null>(null);
  const [made, setMade] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState(thisMonth());

  const loadAssignments = () => api.assignments().then(setAssignments, (e) => setError(errorText(e)));
  useEffect(() => {
    loadAssignments();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);
  // The first checklist, once the directory has them.
  const first = dir.templates.find((x) => x.kind === "checklist")?.template_id;
  useEffect(() => setTemplate((cur) => cur || first || ""), [first]);

  const wave = (): Wave => ({
    template_id: template,
    unit_id: unit,
    months: monthsBetween(from, to),
    per_store: perStore,
    ...(mode ? { mode: mode as Wave["mode"] } : {}),
  });
  const run = async (dryRun: boolean, e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    setMade(null);
    try {
      const p = await api.wave(wave(), dryRun);
      setPlan(p);
      if (p.visits[0]) setShown(p.visits[0].date.slice(0, 7));
      if (!dryRun) {
        setMade(p.created);
        setPlan(null);
        await loadAssignments();
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const events: CalendarEvent[] = [
    ...assignments
      .filter((a) => !a.cancelled && a.starts_on === a.ends_on)
      .map((a) => ({ date: a.starts_on, label: `${dir.unitName(a.unit_id)} · ${dir.personName(a.assignee)}` })),
    ...(plan?.visits ?? []).map((v) => ({ date: v.date, label: `${dir.unitName(v.store)} · ${dir.personName(v.inspector)}`, planned: true })),
  ];
  const perInspector = new Map<string, number>();
  for (const v of plan?.visits ?? []) perInspector.set(v.inspector, (perInspector.get(v.inspector) ?? 0) + 1);
  const months = [...new Set([thisMonth(), ...events.map((e) => e.date.slice(0, 7))])].sort();

  return (
    <section className="schedule">
      <form className="filters" onSubmit={(e) => run(true, e)} aria-label={t("schedule.wave")}>
        <label>
          {t("admin.template")}
          <select name="wave_template" value={template} onChange={(e) => setTemplate(e.target.value)}>
            <ChecklistOptions dir={dir} />
          </select>
        </label>
        <label>
          {t("admin.mode")}
          <select name="wave_mode" value={mode} onChange={(e) => setMode(e.target.value)}>
            <option value="">{t("schedule.templateMode")}</option>
            {["overt", "mystery", "test_call", "echannel"].map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <UnitPicker dir={dir} label={t("admin.unit")} value={unit} onChange={setUnit} />
        <label>
          {t("schedule.from")}
          <input name="wave_from" type="month" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </label>
        <label>
          {t("schedule.to")}
          <input name="wave_to" type="month" value={to} onChange={(e) => setTo(e.target.value)} required />
        </label>
        <label>
          {t("schedule.perStore")}
          <input name="per_store" type="number" min={1} max={10} value={perStore} onChange={(e) => setPerStore(Number(e.target.value) || 1)} />
        </label>
        <button type="submit" disabled={busy || !template || !unit}>
          {t("schedule.preview")}
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
      {made !== null && <p role="status">{t("schedule.made", { n: made })}</p>}
      {plan && (
        <div className="card" role="status">
          <p>{t("schedule.planned", { visits: plan.visits.length, stores: plan.stores })}</p>
          <ul>
            {[...perInspector].map(([who, n]) => (
              <li key={who}>
                {dir.personName(who)}: {n}
              </li>
            ))}
          </ul>
          <button type="button" className="primary" disabled={busy || plan.visits.length === 0} onClick={() => run(false)}>
            {t("schedule.create", { n: plan.visits.length })}
          </button>
        </div>
      )}
      <div className="row">
        <label>
          {t("schedule.month")}
          <select name="shown" value={shown} onChange={(e) => setShown(e.target.value)}>
            {months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="scroll">
        <Calendar month={shown} events={events} />
      </div>
    </section>
  );
}
