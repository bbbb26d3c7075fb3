// Reporting periods as the server names them (day, ISO week, month,
// quarter, year), the period a page opens on, and the filters that pick
// them, kept in the page's address.

import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

export type Granularity = "day" | "week" | "month" | "quarter" | "year";
export const GRANULARITIES: Granularity[] = ["day", "week", "month", "quarter", "year"];

/** The period holding `date`, as the server names it: 2026-12-01, 2026-W49, 2026-12, 2026-Q4, 2026. */
export function periodOf(date: Date, g: Granularity): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const y = date.getFullYear();
  const m = date.getMonth() + 1;
  switch (g) {
    case "day":
      return `${y}-${pad(m)}-${pad(date.getDate())}`;
    case "month":
      return `${y}-${pad(m)}`;
    case "quarter":
      return `${y}-Q${Math.ceil(m / 3)}`;
    case "year":
      return `${y}`;
    case "week": {
      // ISO 8601: the week with the year's first Thursday is week 1.
      const d = new Date(Date.UTC(y, date.getMonth(), date.getDate()));
      const day = d.getUTCDay() || 7;
      d.setUTCDate(d.getUTCDate() + 4 - day);
      const start = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
      const week = Math.ceil(((d.getTime() - start.getTime()) / 864e5 + 1) / 7);
      return `${d.getUTCFullYear()}-W${pad(week)}`;
    }
  }
}

/** The period shown first: the newest with data that has ended (today's is still filling up). */
export function defaultPeriod(periods: string[], g: Granularity, today = new Date()): string | undefined {
  const current = periodOf(today, g);
  const ended = periods.filter((p) => p < current);
  return ended.length ? ended[ended.length - 1] : periods[periods.length - 1];
}

/** The first and the last millisecond of a period (local time), for filters that take times. */
export function periodRange(p: string): [number, number] | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p))) {
    const s = new Date(+m[1], +m[2] - 1, +m[3]);
    return [s.getTime(), new Date(+m[1], +m[2] - 1, +m[3] + 1).getTime()];
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(p))) return [new Date(+m[1], +m[2] - 1, 1).getTime(), new Date(+m[1], +m[2], 1).getTime()];
  if ((m = /^(\d{4})-Q([1-4])$/.exec(p))) {
    const q = (+m[2] - 1) * 3;
    return [new Date(+m[1], q, 1).getTime(), new Date(+m[1], q + 3, 1).getTime()];
  }
  if ((m = /^(\d{4})$/.exec(p))) return [new Date(+m[1], 0, 1).getTime(), new Date(+m[1] + 1, 0, 1).getTime()];
  if ((m = /^(\d{4})-W(\d{2})$/.exec(p))) {
    // Monday of ISO week 1 is the Monday on or before 4 January.
    const jan4 = new Date(+m[1], 0, 4);
    const monday = new Date(+m[1], 0, 4 - ((jan4.getDay() + 6) % 7) + (+m[2] - 1) * 7);
    return [monday.getTime(), new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7).getTime()];
  }
  return null;
}

/** The address's query, and a setter that changes some parameters (an empty value removes one). */
export function useParams(): [URLSearchParams, (changes: Record<string, string>) => void] {
  const [params, setParams] = useSearchParams();
  const setParam = (changes: Record<string, string>) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(changes)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      return next;
    });
  return [params, setParam];
}

/** The granularity the address asks for among `offered`; `fallback` unless it names another. */
export function granularityOf(params: URLSearchParams, offered = GRANULARITIES, fallback: Granularity = "month"): Granularity {
  const g = params.get("granularity") ?? "";
  return (offered as string[]).includes(g) ? (g as Granularity) : fallback;
}

/** The period the address asks for if there is data for it, else the one to open on. */
export function chosenPeriod(params: URLSearchParams, periods: string[], g: Granularity): string | undefined {
  const asked = params.get("period");
  return asked && periods.includes(asked) ? asked : defaultPeriod(periods, g);
}

/** The granularity and period pickers (the newest period first, the current one marked), and any further filters. */
export function PeriodFilters({
  g,
  periods,
  period,
  setParam,
  children,
  granularities = GRANULARITIES,
  fallback = "month",
}: {
  /** The granularities offered, and the one the address leaves unsaid. */
  granularities?: Granularity[];
  fallback?: Granularity;
  g: Granularity;
  periods: string[];
  period: string | undefined;
  setParam: (changes: Record<string, string>) => void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="filters">
      <label>
        {t("dash.granularity")}
        <select name="granularity" value={g} onChange={(e) => setParam({ granularity: e.target.value === fallback ? "" : e.target.value, period: "" })}>
          {granularities.map((x) => (
            <option key={x} value={x}>
              {t(`granularity.${x}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("dash.period")}
        <select name="period" value={period ?? ""} onChange={(e) => setParam({ period: e.target.value })}>
          {[...periods].reverse().map((p) => (
            <option key={p} value={p}>
              {p}
              {p >= periodOf(new Date(), g) ? ` (${t("dash.ongoing")})` : ""}
            </option>
          ))}
        </select>
      </label>
      {children}
    </div>
  );
}
