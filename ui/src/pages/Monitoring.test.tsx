// Daily monitoring in words: what was submitted, which knock-out standards
// failed, which hotlines missed their target and which actions went
// overdue on the day, each linked to its record; the weeks of a unit
// against their targets; and the day chosen from the URL.

import { cleanup, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Daily, Weekly } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Monitoring } from "./Monitoring";

afterEach(cleanup);

const day: Daily = {
  date: "2026-11-20",
  submitted: [{ template_id: "hall_audit", kind: "checklist", mode: "mystery", records: 4, mean_score: 81.25, not_passed: 1 }],
  knockouts: [
    { doc_id: "audit-1", store_id: "cq/yz/001", template_id: "hall_audit", item_id: "ko_privacy", label_zh: "客户信息保密", label_en: "Customer privacy" },
  ],
  hotlines_below: [{ hotline: "cq/yz/900", name_zh: "渝中客服热线", name_en: "Yuzhong hotline", service_level: 0.78, target: 0.85, calls: 412 }],
  overdue: [
    { doc_id: "audit-2", store_id: "cq/yz/001", action_id: "a1", description: "更换破损展架", assignee: "store.yz1", due: "2026-11-19" },
  ],
};

const weeks: Weekly = {
  unit: "cq",
  weeks: [
    { week: "2026-W46", compliance: 83.4, compliance_band: "compliant", compliance_meets: true, service_level: 0.8, service_level_meets: false, actions_opened: 3, actions_closed: 1, actions_overdue: 2 },
    { week: "2026-W47", compliance: null, compliance_band: null, compliance_meets: null, service_level: null, service_level_meets: null, actions_opened: 0, actions_closed: 0, actions_overdue: 0 },
  ],
};

function show(locale: "zh-CN" | "en") {
  const api = fakeApi({
    monitorDay: vi.fn().mockResolvedValue(day),
    monitorWeeks: vi.fn().mockResolvedValue(weeks),
    units: vi.fn().mockResolvedValue([
      { id: "cq", parent: null, level: "province", name_zh: "重庆", name_en: "Chongqing" },
      { id: "cq/yz/001", parent: "cq", level: "store", name_zh: "解放碑营业厅", name_en: "Jiefangbei hall" },
    ]),
    templates: vi.fn().mockResolvedValue([]),
    users: vi.fn().mockResolvedValue([]),
  });
  render(
    <MemoryRouter initialEntries={["/monitoring?date=2026-11-20"]}>
      <I18nProvider initial={locale}>
        <Monitoring api={api} />
      </I18nProvider>
    </MemoryRouter>,
  );
  return api;
}

describe("Monitoring", () => {
  it("says what changed on the day chosen in the URL, in Chinese, each linked to its record", async () => {
    const api = show("zh-CN");
    expect(await screen.findByText(/客户信息保密 不达标/)).toBeTruthy();
    expect(api.monitorDay).toHaveBeenCalledWith({ date: "2026-11-20" });
    expect(screen.getByText("4 份")).toBeTruthy();
    expect(screen.getByText("1 份未达标")).toBeTruthy();
    expect(screen.getByText("渝中客服热线").getAttribute("title")).toBe("cq/yz/900");
    expect(screen.getByText(/78\.0%（目标 85%，412 次呼叫）/)).toBeTruthy();
    const links = await screen.findAllByRole("link", { name: "解放碑营业厅" });
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/records/audit-1", "/records/audit-2"]);
    expect(screen.getByText(/更换破损展架/)).toBeTruthy();
  });

  it("tracks the top unit's weeks against their targets, a withheld week left blank", async () => {
    const api = show("en");
    const table = await screen.findByRole("table", { name: /Weekly tracking: Chongqing/ });
    expect(api.monitorWeeks).toHaveBeenCalledWith(expect.objectContaining({ unit: "cq", weeks: "8" }));
    const [w46, w47] = within(table).getAllByRole("row").slice(1);
    expect(w46.textContent).toContain("83.4");
    expect(w46.textContent).toContain("80.0%");
    expect(within(w46).getAllByText(/meets|misses/i).map((e) => e.textContent?.trim())).toHaveLength(2);
    expect(w46.querySelector(".bad")?.textContent).toBe("2");
    expect(w47.querySelector(".bad")).toBeNull();
    expect(w47.textContent).toContain("–");
  });
});
