// The queue: names for ids, and approving several audits at once.

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { QueueRecord } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Queue } from "./Queue";

afterEach(cleanup);

const row = (doc_id: string, status = "submitted"): QueueRecord => ({
  doc_id, store_id: "cq/yz/001", template_id: "worked", template_version: "v", kind: "checklist", mode: "overt",
  author: "li", status, started_at: 0, submitted_at: 0, updated_at: 0, score: 90, passed: true,
});

describe("Queue", () => {
  it("shows names and approves the picked audits one by one, with progress", async () => {
    const queue = vi.fn().mockResolvedValue({ total: 3, records: [row("d1"), row("d2"), row("d3", "returned")] });
    const approve = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({
      queue,
      approve,
      caughtUp: vi.fn().mockResolvedValue(undefined),
      units: vi.fn().mockResolvedValue([{ id: "cq/yz/001", level: "store", name_zh: "解放碑营业厅", name_en: "Jiefangbei", time_zone: "Asia/Shanghai", traffic: 1 }]),
      templates: vi.fn().mockResolvedValue([{ template_id: "worked", version: "v", kind: "checklist", title_zh: "示例", title_en: "Worked example", published_at: 0 }]),
      users: vi.fn().mockResolvedValue([{ user_id: "li", name: "Li Ming", role: "inspector", scope: "cq", email: "", disabled: false, created_at: 0 }]),
    });
    render(
      <MemoryRouter>
        <I18nProvider initial="en">
          <Queue api={api} open={() => {}} />
        </I18nProvider>
      </MemoryRouter>,
    );
    expect((await screen.findAllByRole("link", { name: "Jiefangbei" })).length).toBe(3);
    expect(document.querySelectorAll("tbody td span[title=li]").length).toBe(3);
    expect(document.querySelectorAll("tbody td span[title=worked]").length).toBe(3);
    // Only audits waiting for review can be picked.
    expect(screen.getAllByRole("checkbox", { name: "Pick the audit of Jiefangbei" })).toHaveLength(2);
    fireEvent.click(screen.getByRole("checkbox", { name: "Pick every audit on this page" }));
    fireEvent.click(screen.getByRole("button", { name: "Approve the 2 picked" }));
    await vi.waitFor(() => expect(queue).toHaveBeenCalledTimes(2));
    expect(approve.mock.calls.map((c) => c[0])).toEqual(["d1", "d2"]);
  });
});
