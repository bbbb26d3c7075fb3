// The schedule: month grids, month ranges, and a wave previewed on the
// calendar before it is made into assignments.

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Planned } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Schedule, monthGrid, monthsBetween } from "./Schedule";

afterEach(cleanup);

describe("monthGrid", () => {
  it("starts weeks on Monday and pads with blanks", () => {
    const weeks = monthGrid("2026-12"); // 1 December 2026 is a Tuesday
    expect(weeks[0]).toEqual([null, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it("counts months across a year's end, twelve at most", () => {
    expect(monthsBetween("2026-11", "2027-02")).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthsBetween("2026-01", "2030-01")).toHaveLength(12);
    expect(monthsBetween("2026-05", "2026-04")).toEqual([]);
  });
});

describe("Schedule", () => {
  it("previews a wave on the calendar, then makes its assignments", async () => {
    const plan: Planned = {
      stores: 1,
      created: 0,
      visits: [
        { date: "2026-12-03", store: "cq/yz/001", inspector: "li" },
        { date: "2026-12-17", store: "cq/yz/001", inspector: "zhao" },
      ],
    };
    const wave = vi.fn(async (_: unknown, dryRun: boolean) => (dryRun ? plan : { ...plan, created: 2 }));
    const api = fakeApi({
      wave,
      assignments: vi.fn().mockResolvedValue([]),
      templates: vi.fn().mockResolvedValue([{ template_id: "worked", version: "v", kind: "checklist", title_zh: "示例", title_en: "Worked", published_at: 0 }]),
      units: vi.fn().mockResolvedValue([{ id: "cq/yz", level: "district", name_zh: "渝中区", name_en: "Yuzhong", time_zone: "Asia/Shanghai", traffic: 0 }]),
      users: vi.fn().mockResolvedValue([]),
    });
    render(
      <MemoryRouter>
        <I18nProvider initial="en">
          <Schedule api={api} />
        </I18nProvider>
      </MemoryRouter>,
    );
    await screen.findByRole("option", { name: "Worked" });
    fireEvent.change(screen.getByLabelText("Store or area"), { target: { value: "Yuzhong" } });
    fireEvent.change(screen.getByLabelText("From month"), { target: { value: "2026-12" } });
    fireEvent.change(screen.getByLabelText("To month"), { target: { value: "2026-12" } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(await screen.findByText("2 visits to 1 stores, by inspector:")).toBeTruthy();
    expect(wave).toHaveBeenCalledWith({ template_id: "worked", unit_id: "cq/yz", months: ["2026-12"], per_store: 2 }, true);
    expect(document.querySelector('td[data-day="2026-12-03"]')?.className).toBe("planned");
    fireEvent.click(screen.getByRole("button", { name: "Make 2 assignments" }));
    expect(await screen.findByText("2 assignments made; devices get them at their next sync")).toBeTruthy();
    expect(wave).toHaveBeenLastCalledWith(expect.anything(), false);
  });
});
