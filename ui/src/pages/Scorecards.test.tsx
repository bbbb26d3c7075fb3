// Branch scorecards: places for the complete ones only, an open indicator
// said as such with its reason, and the periods offered.

import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ScorecardReply } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Scorecards, recentPeriods } from "./Scorecards";

afterEach(cleanup);

const title = (zh: string, en: string) => ({ "zh-CN": zh, en });
const reply: ScorecardReply = {
  scorecard: {
    id: "service_evaluation",
    version: "2026.1",
    title: title("服务工作评价", "Service evaluation"),
    indicators: [
      { id: "satisfaction", title: title("客户满意度", "Customer satisfaction"), points: 30 },
      { id: "integration", title: title("服务融合", "Service integration"), points: 20 },
    ],
  },
  period: "2025",
  rows: [
    {
      unit: "sc/ls",
      name_zh: "乐山",
      name_en: "Leshan",
      place: 1,
      indicators: [
        { id: "satisfaction", points: 30, value: 88.3, earned: 30, earned_interval: null, standing: "scored", missing: null },
        { id: "integration", points: 20, value: 87, earned: 17.4, earned_interval: null, standing: "scored", missing: null },
      ],
      deductions: [],
      deducted: 0,
      score: 47.4,
      best_case: 47.4,
      complete: true,
      out_of: 50,
    },
    {
      unit: "sc/my",
      name_zh: "绵阳",
      name_en: "Mianyang",
      place: null,
      indicators: [
        { id: "satisfaction", points: 30, value: null, earned: null, earned_interval: null, standing: "suppressed", missing: { key: "scorecard.suppressed", params: {}, text: "…" } },
        { id: "integration", points: 20, value: 72, earned: 14.4, earned_interval: null, standing: "scored", missing: null },
      ],
      deductions: [{ kind: "media_exposure", title: title("公司责任案件经媒体曝光", "Media exposure"), cases: 1, points: 4 }],
      deducted: 4,
      score: 10.4,
      best_case: 40.4,
      complete: false,
      out_of: 50,
    },
  ],
};

describe("Scorecards", () => {
  it("ranks the complete scorecards and leaves an open one unranked, saying why", async () => {
    const scorecard = vi.fn().mockResolvedValue(reply);
    const api = fakeApi({ scorecards: vi.fn().mockResolvedValue([reply.scorecard]), scorecard });
    render(
      <MemoryRouter initialEntries={["/scorecards?period=2025"]}>
        <I18nProvider initial="zh-CN">
          <Scorecards api={api} role="manager" />
        </I18nProvider>
      </MemoryRouter>,
    );
    const table = await screen.findByRole("table", { name: "服务工作评价 · 2025" });
    const leshan = within(table).getByRole("row", { name: /乐山/ });
    expect(leshan.textContent).toContain("47.4");
    const mianyang = within(table).getByRole("row", { name: /绵阳/ });
    expect(mianyang.textContent).toContain("样本不足");
    expect(mianyang.textContent).toContain("−4.0");
    expect(mianyang.textContent).toContain("（最高可达 40.4）");
    expect(within(mianyang).getByTitle("样本太少，数值不予显示")).toBeTruthy();
    expect(screen.getByText(/1 个单位有待定指标/)).toBeTruthy();
    expect(scorecard).toHaveBeenCalledWith("service_evaluation", { period: "2025", level: "city" });
  });

  it("lets an administrator check and publish a scheme of their own, and lists it once published", async () => {
    const own = { id: "retention_drive", version: "2026.1", title: title("携转挽留考核", "Retention drive"), indicators: [] };
    const scorecards = vi.fn().mockResolvedValueOnce([reply.scorecard]).mockResolvedValue([reply.scorecard, own]);
    const publishScorecard = vi.fn((_: File, dry: boolean) =>
      Promise.resolve({ scorecard_id: "retention_drive", version: "2026.1", new: true, published: !dry, indicators: 1, points: 10 }),
    );
    const api = fakeApi({ scorecards, scorecard: vi.fn().mockResolvedValue(reply), publishScorecard });
    render(
      <MemoryRouter initialEntries={["/scorecards?period=2025"]}>
        <I18nProvider initial="en">
          <Scorecards api={api} role="admin" />
        </I18nProvider>
      </MemoryRouter>,
    );
    const form = await screen.findByRole("form", { name: "Publish a scoring scheme" });
    const file = new File(['id = "retention_drive"'], "retention.toml");
    fireEvent.change(within(form).getByLabelText("Scheme file (TOML)"), { target: { files: [file] } });
    fireEvent.click(within(form).getByRole("button", { name: "Check" }));
    expect(await within(form).findByText("Ready to publish: retention_drive 2026.1, 1 indicator worth 10.0 points")).toBeTruthy();
    fireEvent.click(within(form).getByRole("button", { name: "Publish" }));
    expect(await within(form).findByText("Published retention_drive 2026.1: 1 indicator worth 10.0 points")).toBeTruthy();
    expect(publishScorecard).toHaveBeenLastCalledWith(file, false);
    expect(await screen.findByRole("option", { name: "Retention drive" })).toBeTruthy();
  });

  it("offers publishing schemes to administrators only", async () => {
    const api = fakeApi({ scorecards: vi.fn().mockResolvedValue([reply.scorecard]), scorecard: vi.fn().mockResolvedValue(reply) });
    render(
      <MemoryRouter initialEntries={["/scorecards?period=2025"]}>
        <I18nProvider initial="en">
          <Scorecards api={api} role="manager" />
        </I18nProvider>
      </MemoryRouter>,
    );
    await screen.findByRole("form", { name: "Import entered figures" });
    expect(screen.queryByRole("form", { name: "Publish a scoring scheme" })).toBeNull();
  });

  it("offers the recent periods of each length", () => {
    const today = new Date(2026, 11, 1);
    expect(recentPeriods("year", today)).toEqual(["2023", "2024", "2025", "2026"]);
    expect(recentPeriods("quarter", today).slice(-2)).toEqual(["2026-Q3", "2026-Q4"]);
    expect(recentPeriods("month", today)[0]).toBe("2025-12");
  });
});
