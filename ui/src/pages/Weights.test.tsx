// Construct weights by PLS: a manager estimates them from the responses
// the page filters and reads them by label; only an administrator is
// offered to publish them; a refusal is shown in the reader's language.

import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type WeightSet } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Weights } from "./Weights";

afterEach(cleanup);

const set: WeightSet = {
  set_id: "pls-2026-12-01-1",
  template_id: "intercept_survey",
  template_version: "abc",
  unit: "sc/cd",
  from: null,
  to: null,
  estimated_at: Date.UTC(2026, 11, 1, 4),
  estimated_by: "manager",
  weights: {
    constructs: [
      {
        construct: "perceived_quality",
        role: "perceived_quality",
        items: [
          { item: "pq_overall", weight: 0.62, outer_weight: 0.55, loading: 0.93, answered: 240 },
          { item: "pq_staff", weight: 0.38, outer_weight: 0.5, loading: 0.88, answered: 231 },
        ],
        r_squared: 0.41,
      },
    ],
    paths: [{ from: "expectation", to: "perceived_quality", coefficient: 0.64 }],
    respondents: 240,
    iterations: 5,
  },
  labels: {
    perceived_quality: { "zh-CN": "感知质量", en: "Perceived quality" },
    pq_overall: { "zh-CN": "总体质量", en: "Overall quality" },
    pq_staff: { "zh-CN": "员工服务", en: "Staff" },
    expectation: { "zh-CN": "客户期望", en: "Customer expectation" },
  },
};

function show(role: string, locale: "zh-CN" | "en", overrides = {}) {
  const api = fakeApi({
    weightSets: vi.fn().mockResolvedValue([]),
    estimateWeights: vi.fn().mockResolvedValue(set),
    publishWeights: vi.fn().mockResolvedValue({ new: true, version: "0123456789abcdef" }),
    ...overrides,
  });
  render(
    <I18nProvider initial={locale}>
      <Weights api={api} role={role} template="intercept_survey" unit="sc/cd" from={1} to={2} unitName={(id) => (id === "sc/cd" ? "Chengdu" : id)} personName={(id) => (id === "manager" ? "Wang Fang" : id)} />
    </I18nProvider>,
  );
  return api;
}

describe("Weights", () => {
  it("estimates from the responses filtered and shows weights by label; a manager is not offered to publish", async () => {
    const api = show("manager", "en");
    fireEvent.click(await screen.findByRole("button", { name: "Estimate weights" }));
    const row = (await screen.findByText("Staff")).closest("tr") as HTMLElement;
    expect(api.estimateWeights).toHaveBeenCalledWith("intercept_survey", "sc/cd", 1, 2);
    expect(within(row).getByText("0.380")).toBeTruthy();
    expect(within(row).getByText("0.88")).toBeTruthy();
    expect(screen.getByText(/From 240 responses in Chengdu, estimated by Wang Fang/)).toBeTruthy();
    expect(screen.getByText("Customer expectation → Perceived quality: 0.64")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Publish/ })).toBeNull();
  });

  it("lets an administrator publish a kept set as a new version, in Chinese", async () => {
    const api = show("admin", "zh-CN", { weightSets: vi.fn().mockResolvedValue([set]) });
    fireEvent.click(await screen.findByRole("button", { name: "按此权重发布问卷新版本" }));
    expect(await screen.findByText("已发布使用权重集 pls-2026-12-01-1 的新版本 01234567")).toBeTruthy();
    expect(api.publishWeights).toHaveBeenCalledWith("intercept_survey", "pls-2026-12-01-1");
  });

  it("shows why the responses cannot carry an estimate, in Chinese", async () => {
    const refusal = new ApiError(
      "bad_request",
      "item `complaint_handling` was answered by 4 respondents; PLS needs at least 10",
      400,
      [],
      "pls.item_too_few",
      { item: "complaint_handling", n: "4", min: "10" },
    );
    show("manager", "zh-CN", { estimateWeights: vi.fn().mockRejectedValue(refusal) });
    fireEvent.click(await screen.findByRole("button", { name: "估计权重" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "题目 `complaint_handling` 只有 4 位受访者作答；PLS 至少需要 10 位",
    );
  });
});
