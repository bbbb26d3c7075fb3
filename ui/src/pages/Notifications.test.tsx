// Notifications in words, unread ones marked, read when opened.

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Notifications } from "./Notifications";

afterEach(cleanup);

describe("Notifications", () => {
  it("says what happened where, and marks one read when it is opened", async () => {
    const notifications = vi.fn().mockResolvedValue({
      unread: 1,
      notifications: [
        { id: "action:d1:a1:new", kind: "action_new", at: 0, doc_id: "d1", store_id: "cq/yz/001", text: "Replace the sign", count: null, read: false },
        { id: "review:2026-12-01:3", kind: "review_waiting", at: 0, doc_id: null, store_id: null, text: null, count: 3, read: true },
      ],
    });
    const markRead = vi.fn().mockResolvedValue(undefined);
    const onRead = vi.fn();
    const api = fakeApi({
      notifications,
      markRead,
      units: vi.fn().mockResolvedValue([{ id: "cq/yz/001", level: "store", name_zh: "解放碑营业厅", name_en: "Jiefangbei", time_zone: "Asia/Shanghai", traffic: 1 }]),
      templates: vi.fn().mockResolvedValue([]),
      users: vi.fn().mockResolvedValue([]),
    });
    render(
      <MemoryRouter>
        <I18nProvider initial="en">
          <Notifications api={api} onRead={onRead} />
        </I18nProvider>
      </MemoryRouter>,
    );
    const link = await screen.findByRole("link", { name: "A new corrective action for Jiefangbei: Replace the sign" });
    expect(link.getAttribute("href")).toBe("/records/d1");
    expect(screen.getByRole("link", { name: "3 audits are waiting for review" }).getAttribute("href")).toBe("/queue");
    fireEvent.click(link);
    await vi.waitFor(() => expect(markRead).toHaveBeenCalledWith(["action:d1:a1:new"]));
    expect(onRead).toHaveBeenCalled();
  });
});
