// The console's addresses: a record opened from its own link, a page the
// role may not open, and a session that ends shows the sign-in again on the
// same address.

import { act, cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RecordDetail } from "./api";
import { App } from "./App";
import { I18nProvider } from "./i18n";
import { fakeApi } from "./test/fakeApi";

afterEach(cleanup);

const detail: RecordDetail = {
  record: {
    doc_id: "doc-1", store_id: "sc/cd/gx/001", template_id: "owned_hall_audit", template_version: "v1", kind: "checklist",
    mode: "overt", author: "inspector.cd", status: "approved", started_at: 0, ended_at: null, submitted_at: null,
    updated_at: 0, score: 92.5, passed: true,
  },
  sections: [], comments: [], actions: [], conflicts: [], form: null,
  history: [{ n: 0, author: "inspector.cd", at: 0, message: "answer clean" }, { n: 1, author: "inspector.cd", at: 0, message: "submit" }],
};

const lists = {
  units: vi.fn().mockResolvedValue([{ id: "sc/cd/gx/001", level: "store", name_zh: "高新一厅", name_en: "Gaoxin Hall 1", time_zone: "Asia/Shanghai", traffic: 1 }]),
  templates: vi.fn().mockResolvedValue([]),
  users: vi.fn().mockResolvedValue([{ user_id: "inspector.cd", name: "李明", role: "inspector", scope: "sc/cd", email: "", disabled: false, created_at: 0 }]),
};

function renderAt(path: string, api = fakeApi({ ...lists, detail: vi.fn().mockResolvedValue(detail) })) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <I18nProvider initial="zh-CN">
        <App api={api} />
      </I18nProvider>
    </MemoryRouter>,
  );
  return api;
}

describe("App", () => {
  it("opens a record from its address, with names and its history in words", async () => {
    const api = renderAt("/records/doc-1");
    expect(await screen.findByText("高新一厅")).toBeTruthy();
    expect(api.detail).toHaveBeenCalledWith("doc-1");
    expect(screen.getAllByText("李明").length).toBeGreaterThan(0);
    expect(screen.getByText(/回答「clean」/)).toBeTruthy();
    expect(screen.getByText(/提交/)).toBeTruthy();
    // Nothing a manager-only step: the record is approved.
    expect(screen.queryByRole("button", { name: "审核通过" })).toBeNull();
    expect(screen.getByRole("link", { name: "打印报告" }).getAttribute("href")).toBe("/records/doc-1/report");
  });

  it("keeps administration from those who may not open it", async () => {
    renderAt("/admin", fakeApi({ ...lists, role: () => "inspector" }));
    expect(await screen.findByText("没有这个页面")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "管理" })).toBeNull();
  });

  it("asks to sign in again, on the same page, when the session ends", async () => {
    let end = () => {};
    const queue = vi.fn().mockResolvedValue({ total: 0, records: [] });
    const api = fakeApi({ ...lists, queue, onSignedOut: (l: () => void) => ((end = l), () => {}) });
    renderAt("/queue?status=approved", api);
    await screen.findByText("没有待审核的检查");
    expect(queue).toHaveBeenCalledWith(expect.objectContaining({ status: ["approved"] }));
    act(() => end());
    expect(await screen.findByText("登录已过期，请重新登录")).toBeTruthy();
    expect(screen.getByRole("button", { name: "登录" })).toBeTruthy();
  });
});
