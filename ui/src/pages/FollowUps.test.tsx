// The follow-up list with a stand-in Api: overdue actions stand out and
// come first, a step shows its new status at once, and nobody is offered a
// step the server would refuse them.

import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FollowUp } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { FollowUps, followUpOrder, localToday } from "./FollowUps";

const inRouter = (node: ReactNode, locale: "en" | "zh-CN" = "en") => (
  <MemoryRouter>
    <I18nProvider initial={locale}>{node}</I18nProvider>
  </MemoryRouter>
);

afterEach(cleanup);

const action = (over: Partial<FollowUp>): FollowUp => ({
  doc_id: "d1",
  store_id: "sc/cd/gx/001",
  template_id: "owned_hall_audit",
  action_id: "a1",
  item_id: "clean",
  label_zh: "厅内整洁",
  label_en: "The hall is clean and tidy",
  description: "打扫",
  assignee: "staff.gx",
  due: "2026-11-01",
  status: "open",
  created_by: "manager",
  created_at: 0,
  done_at: null,
  verified_at: null,
  overdue: true,
  ...over,
});

describe("FollowUps", () => {
  it("highlights overdue actions and marks one done", async () => {
    const others = [
      action({ action_id: "a2", due: "2099-01-01", overdue: false }),
      action({ action_id: "a3", status: "verified", overdue: false }),
    ];
    const followUps = vi
      .fn()
      .mockResolvedValueOnce([action({}), ...others])
      // After the step, the server's list: done, so no longer overdue.
      .mockResolvedValue([action({ status: "done", overdue: false }), ...others]);
    const actionStep = vi.fn().mockResolvedValue("done");
    const caughtUp = vi.fn().mockResolvedValue(undefined);
    const open = vi.fn();
    render(inRouter(<FollowUps api={fakeApi({ followUps, actionStep, caughtUp })} open={open} role="manager" />));
    const rows = await screen.findAllByRole("row");
    expect(followUps).toHaveBeenCalledWith(expect.objectContaining({ today: localToday(), status: ["open", "done"] }));
    expect(screen.getByText("1 overdue")).toBeTruthy();
    const first = rows.find((r) => r.getAttribute("data-action") === "a1")!;
    expect(first.className).toContain("overdue");
    expect(within(first).getByText("The hall is clean and tidy")).toBeTruthy();

    fireEvent.click(within(first).getByRole("button", { name: "Mark done" }));
    expect(await within(first).findByRole("button", { name: "Verify" })).toBeTruthy();
    expect(actionStep).toHaveBeenCalledWith("d1", "a1", "complete");
    expect(caughtUp).toHaveBeenCalled();
    const done = (await screen.findAllByRole("row")).find((r) => r.getAttribute("data-action") === "a1")!;
    expect(done.className).not.toContain("overdue");

    // A verified action is closed: the record allows no step on it.
    const closed = rows.find((r) => r.getAttribute("data-action") === "a3")!;
    expect(within(closed).queryAllByRole("button")).toEqual([]);

    fireEvent.click(within(first).getByRole("link", { name: "Open audit" }));
    expect(open).toHaveBeenCalledWith("d1");
  });

  it("names the item by its id when the server has no label for it", async () => {
    const followUps = vi.fn().mockResolvedValue([action({ label_zh: null, label_en: undefined })]);
    render(inRouter(<FollowUps api={fakeApi({ followUps })} open={() => {}} role="manager" />));
    const row = (await screen.findAllByRole("row")).find((r) => r.getAttribute("data-action") === "a1")!;
    expect(within(row).getByText("clean")).toBeTruthy();
  });

  it("asks only for overdue ones when told", async () => {
    const followUps = vi.fn().mockResolvedValue([]);
    render(inRouter(<FollowUps api={fakeApi({ followUps })} open={() => {}} role="manager" />, "zh-CN"));
    await screen.findByText("没有需要跟踪的整改");
    fireEvent.change(screen.getByLabelText("显示"), { target: { value: "overdue" } });
    await vi.waitFor(() => expect(followUps).toHaveBeenLastCalledWith(expect.objectContaining({ overdue: true })));
  });

  it("offers store staff only marking their own actions done", async () => {
    const followUps = vi.fn().mockResolvedValue([
      action({ action_id: "mine", assignee: "staff.gx" }),
      action({ action_id: "theirs", assignee: "staff.other" }),
      action({ action_id: "done", assignee: "staff.gx", status: "done", overdue: false }),
    ]);
    const api = fakeApi({ followUps, user: () => "staff.gx", role: () => "store_staff" });
    render(inRouter(<FollowUps api={api} open={() => {}} role="store_staff" />));
    const rows = await screen.findAllByRole("row");
    const buttons = (id: string) =>
      within(rows.find((r) => r.getAttribute("data-action") === id)!).queryAllByRole("button").map((b) => b.textContent);
    expect(buttons("mine")).toEqual(["Mark done"]);
    expect(buttons("theirs")).toEqual([]);
    expect(buttons("done")).toEqual([]);
  });

  it("puts overdue actions first, then open ones by due date, then done and verified", () => {
    const rows = [
      action({ action_id: "verified", status: "verified", overdue: false, due: "2026-01-01" }),
      action({ action_id: "done", status: "done", overdue: false, due: "2026-01-02" }),
      action({ action_id: "open-late", status: "open", overdue: false, due: "2026-12-30" }),
      action({ action_id: "open-soon", status: "open", overdue: false, due: "2026-12-01" }),
      action({ action_id: "overdue", status: "open", overdue: true, due: "2026-11-20" }),
    ];
    expect(rows.sort(followUpOrder).map((a) => a.action_id)).toEqual(["overdue", "open-soon", "open-late", "done", "verified"]);
  });

  it("reads today as the user's own date", () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });
});
