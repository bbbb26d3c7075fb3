// Hotline figures in words: each KPI against its target, the test calls
// beside the switch, a disagreement said in the reader's language, and an
// import that shows every problem of a refused file.

import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type HotlineKpi, type HotlineKpis } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Hotline, kpiText } from "./Hotline";

afterEach(cleanup);

const kpi = (id: string, value: number | null, extra: Partial<HotlineKpi> = {}): HotlineKpi => ({
  id,
  value,
  interval: null,
  numerator: null,
  denominator: null,
  target: null,
  meets: null,
  clearly_misses: null,
  at: null,
  missing: null,
  ...extra,
});

const reply: HotlineKpis = {
  formula: "exclude_abandoned_within_t",
  formulas: ["exclude_abandoned_within_t", "all_offered"],
  targets: { service_level: { at_least: 0.85 } },
  rows: [
    {
      hotline: "cq/yz/900",
      period: "2026-10",
      name_zh: "渝中客服热线",
      name_en: "Yuzhong hotline",
      threshold_s: 20,
      kpis: [
        kpi("service_level", 0.83, { target: { at_least: 0.85 }, meets: false, clearly_misses: true, interval: { lo: 0.81, hi: 0.845 } }),
        kpi("busy_hour_connection", 0.9, { at: "2026-10-12 10:00" }),
        kpi("satisfaction", null, { missing: { key: "hotline.kpi_not_in_data", params: {}, text: "the statistics do not have the counts for this figure" } }),
        kpi("avg_talk_s", 182.4),
      ],
      test_calls: {
        test_calls: { calls: 3, timed: 3, within: 3, dialled: 3, connected: 3, mean_score: 92.7 },
        within_share: 1,
        within_interval: null,
        connected_share: 1,
        disagreement: {
          key: "hotline.switch_misses_tests_meet",
          params: { target: "85.0%", switch: "83.0%", test: "100.0%", calls: "3", significance: { key: "hotline.difference_too_few", params: {} } },
          text: "…",
        },
      },
    },
  ],
};

function show(api = fakeApi({ hotlineKpis: vi.fn().mockResolvedValue(reply) }), locale: "zh-CN" | "en" = "zh-CN", role = "manager") {
  render(
    <MemoryRouter initialEntries={["/hotline?period=2026-10"]}>
      <I18nProvider initial={locale}>
        <Hotline api={api} role={role} />
      </I18nProvider>
    </MemoryRouter>,
  );
  return api;
}

describe("Hotline", () => {
  it("shows each hotline's KPIs against their targets beside its test calls", async () => {
    show();
    const table = await screen.findByRole("table", { name: /2026-10/ });
    const row = within(table).getByRole("row", { name: /渝中客服热线/ });
    expect(row.textContent).toContain("83.0%");
    expect(row.textContent).toContain("明显未达标");
    expect(row.textContent).toContain("拨测 3 次");
    expect(row.textContent).toContain("及时应答 100.0%");
    // The reason a figure is missing, in words.
    expect(within(row).getAllByTitle("话务统计中没有计算此指标所需的数量")).toHaveLength(1);
    expect(screen.getByRole("note").textContent).toBe(
      "渝中客服热线: 话务统计未达到 85.0% 的目标（83.0%），但拨测达到了（3 次中及时应答 100.0%）；拨测次数太少，无法检验差异",
    );
  });

  it("opens every KPI of a hotline period by period", async () => {
    show(undefined, "en");
    fireEvent.click(await screen.findByRole("button", { name: "Yuzhong hotline" }));
    const all = await screen.findByRole("table", { name: /Yuzhong hotline/ });
    expect(within(all).getByRole("row", { name: /Busy-hour minimum connection/ }).textContent).toContain("90.0%");
    expect(within(all).getByRole("row", { name: /Average talk time/ }).textContent).toContain("182 s");
  });

  it("checks a file and lists each problem by row and column", async () => {
    const importCalls = vi.fn().mockRejectedValue(
      new ApiError("invalid_rows", "1 problem", 400, [
        { row: 3, column: "hotline", key: "hotline.outside_scope", params: { id: "cq/jb/900", scope: "cq/yz" }, message: "…" },
      ]),
    );
    show(fakeApi({ hotlineKpis: vi.fn().mockResolvedValue(reply), importCalls }));
    const form = await screen.findByRole("form", { name: "导入话务统计" });
    const file = new File(["hotline,interval_start\n"], "calls.csv", { type: "text/csv" });
    fireEvent.change(within(form).getByLabelText("统计文件"), { target: { files: [file] } });
    fireEvent.click(within(form).getByRole("button", { name: "检查" }));
    const alert = await within(form).findByRole("alert");
    expect(alert.textContent).toContain("第 3 行");
    expect(alert.textContent).toContain("`cq/jb/900` 不在您的管辖范围（cq/yz）内");
    expect(importCalls).toHaveBeenCalledWith(file, true, { threshold_s: "20", short_s: "5", map: "" });
  });

  it("writes shares as percentages and times in seconds", () => {
    const n = (x: number, d = 1) => x.toFixed(d);
    expect(kpiText({ id: "service_level", value: 0.8586 }, n)).toBe("85.9%");
    expect(kpiText({ id: "avg_wrap_s", value: 31.6 }, n)).toBe("32 s");
    expect(kpiText({ id: "manual_connection", value: null }, n)).toBe("–");
  });

  it("lets an administrator set a target, change one and remove one, shown against the defaults", async () => {
    const defaults = { service_level: { at_least: 0.85 }, avg_talk_s: { at_most: 240 }, satisfaction: { at_least: 0.9 } };
    const hotlineTargets = vi.fn().mockResolvedValue({ targets: { ...defaults }, defaults });
    const putHotlineTargets = vi.fn().mockResolvedValue({ targets: { service_level: { at_least: 0.8 }, avg_talk_s: { at_most: 240 } }, defaults });
    const hotlineKpis = vi.fn().mockResolvedValue(reply);
    show(fakeApi({ hotlineKpis, hotlineTargets, putHotlineTargets }), "en", "admin");
    const form = await screen.findByRole("form", { name: "Hotline KPI targets" });
    const row = (kpi: string) => form.querySelector(`tr[data-kpi="${kpi}"]`) as HTMLElement;
    expect((within(row("service_level")).getByLabelText("Target value of Service level") as HTMLInputElement).value).toBe("85");
    expect(within(row("avg_talk_s")).getByText("≤ 240 s")).toBeTruthy();
    fireEvent.change(within(row("service_level")).getByLabelText("Target value of Service level"), { target: { value: "80" } });
    fireEvent.change(within(row("satisfaction")).getByLabelText("Target of Agent satisfaction"), { target: { value: "" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save targets" }));
    expect(await within(form).findByText("Targets saved; the KPIs are judged against them now")).toBeTruthy();
    // Only what changed is sent; the KPIs are asked again.
    expect(putHotlineTargets).toHaveBeenCalledWith({ service_level: { at_least: 0.8 }, satisfaction: null });
    expect(hotlineKpis).toHaveBeenCalledTimes(2);
  });

  it("offers the targets to administrators only", async () => {
    const hotlineTargets = vi.fn().mockResolvedValue({ targets: {}, defaults: {} });
    show(fakeApi({ hotlineKpis: vi.fn().mockResolvedValue(reply), hotlineTargets }));
    await screen.findByRole("table", { name: /2026-10/ });
    expect(screen.queryByRole("form", { name: "热线指标目标" })).toBeNull();
    expect(hotlineTargets).not.toHaveBeenCalled();
  });
});
