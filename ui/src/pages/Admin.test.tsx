// Administration with a stand-in Api: a template file is checked first and
// its problems are listed; a good one is previewed, then published.

import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type Published } from "../api";
import { I18nProvider } from "../i18n";
import { fakeApi } from "../test/fakeApi";
import { Admin } from "./Admin";

afterEach(cleanup);

const preview: Published = {
  template_id: "worked",
  version: "abcdef0123456789",
  new: true,
  published: false,
  kind: "checklist",
  title_zh: "示例",
  title_en: "Worked example",
  sections: 2,
  items: 5,
  warnings: [],
};

function renderAdmin(overrides: Parameters<typeof fakeApi>[0]) {
  render(
    <MemoryRouter>
      <I18nProvider initial="en">
        <Admin api={fakeApi(overrides)} role="admin" />
      </I18nProvider>
    </MemoryRouter>,
  );
}

describe("Admin templates", () => {
  it("lists every problem of a broken file and publishes nothing", async () => {
    const publishTemplate = vi.fn().mockRejectedValue(
      new ApiError("invalid_rows", "bad", 400, [
        { row: 0, column: null, message: "missing field `mode`", key: "", params: {} },
        { row: 4, column: "type", message: "unknown type `colour`", key: "", params: {} },
      ]),
    );
    renderAdmin({ templates: vi.fn().mockResolvedValue([]), publishTemplate });
    const file = new File(["id = 'x'"], "broken.toml");
    fireEvent.change(screen.getByLabelText("Template file (TOML, JSON or XLSForm)"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Check file" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The file has 2 problems; nothing was changed");
    expect(alert.textContent).toContain("Row 4");
    expect(alert.textContent).toContain("unknown type `colour`");
    expect(publishTemplate).toHaveBeenCalledTimes(1);
    expect(publishTemplate).toHaveBeenCalledWith(file, true, {});
    expect(screen.queryByRole("button", { name: "Publish" })).toBeNull();
  });

  it("previews a good file, then publishes it and lists it", async () => {
    const templates = vi.fn().mockResolvedValue([]);
    const publishTemplate = vi.fn(async (_: File, dryRun: boolean) => ({ ...preview, published: !dryRun }));
    renderAdmin({ templates, publishTemplate });
    const file = new File(["id = 'worked'"], "worked.toml");
    fireEvent.change(screen.getByLabelText("Template file (TOML, JSON or XLSForm)"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Check file" }));
    expect(await screen.findByText("Worked example")).toBeTruthy();
    expect(screen.getByText(/2 sections, 5 items/)).toBeTruthy();
    templates.mockResolvedValue([
      { template_id: "worked", version: preview.version, kind: "checklist", title_zh: "示例", title_en: "Worked example", published_at: 0 },
    ]);
    fireEvent.click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByText("Published; devices get it at their next sync")).toBeTruthy();
    expect(publishTemplate).toHaveBeenLastCalledWith(file, false, {});
    await vi.waitFor(() => expect(document.querySelector('tr[data-template="worked"]')).not.toBeNull());
  });

  it("asks an XLSForm's missing channel and passes it to the check", async () => {
    const publishTemplate = vi.fn().mockResolvedValue({ ...preview });
    renderAdmin({ templates: vi.fn().mockResolvedValue([]), publishTemplate });
    const file = new File(["PK"], "form.xlsx");
    fireEvent.change(screen.getByLabelText("Template file (TOML, JSON or XLSForm)"), { target: { files: [file] } });
    fireEvent.change(screen.getByLabelText("Channel (if the form has none)"), { target: { value: "partner_store" } });
    fireEvent.click(screen.getByRole("button", { name: "Check file" }));
    await vi.waitFor(() => expect(publishTemplate).toHaveBeenCalledWith(file, true, { channel: "partner_store" }));
  });

  it("shows managers the assignments only", async () => {
    render(
      <MemoryRouter>
        <I18nProvider initial="en">
          <Admin api={fakeApi({ assignments: vi.fn().mockResolvedValue([]), templates: vi.fn().mockResolvedValue([]) })} role="manager" />
        </I18nProvider>
      </MemoryRouter>,
    );
    expect(screen.getAllByRole("tab").map((t) => t.textContent)).toEqual(["Assignments", "Schedule"]);
    expect(await screen.findByRole("button", { name: "Assign" })).toBeTruthy();
  });
});

describe("Admin users", () => {
  it("disables a user, resets a password shown once, and edits a role and an e-mail address", async () => {
    const users = vi
      .fn()
      .mockResolvedValue([{ user_id: "li", name: "Li", role: "inspector", scope: "cq", email: "", disabled: false, created_at: 0 }]);
    const updateUser = vi.fn().mockResolvedValue(undefined);
    renderAdmin({ templates: vi.fn().mockResolvedValue([]), users, updateUser });
    fireEvent.click(screen.getByRole("tab", { name: "Users" }));
    fireEvent.click(await screen.findByRole("button", { name: "Disable" }));
    await vi.waitFor(() => expect(updateUser).toHaveBeenCalledWith("li", { disabled: true }));
    expect(await screen.findByText("li is disabled and signed out everywhere")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Reset password" }));
    await vi.waitFor(() => expect(updateUser).toHaveBeenCalledTimes(2));
    const password = updateUser.mock.calls[1][1].password as string;
    expect(password).toMatch(/^[A-Za-z2-9]{14}$/);
    expect(await screen.findByText(`li's password is reset to ${password} (shown once)`)).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const row = document.querySelector('tr.editing[data-user="li"]') as HTMLElement;
    fireEvent.change(within(row).getByLabelText("Role"), { target: { value: "surveyor" } });
    fireEvent.change(within(row).getByLabelText("E-mail"), { target: { value: " li@example.com " } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() =>
      expect(updateUser).toHaveBeenLastCalledWith("li", { role: "surveyor", email: "li@example.com" }),
    );
  });

  it("makes an enrolment for a field user and shows its QR code, code and link once", async () => {
    const users = vi.fn().mockResolvedValue([
      { user_id: "li", name: "Li", role: "inspector", scope: "cq", email: "", disabled: false },
      { user_id: "wang", name: "Wang", role: "manager", scope: "cq/yz", email: "", disabled: false },
    ]);
    const enrol = vi.fn().mockResolvedValue({
      user_id: "li",
      code: "AB3DE-FG7HJ",
      expires_at: Date.UTC(2026, 10, 30, 12, 15),
      link: "fieldcheck://enrol?server=https%3A%2F%2Ffc.example.com&code=AB3DE-FG7HJ",
      server: "https://fc.example.com",
      qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    });
    renderAdmin({ templates: vi.fn().mockResolvedValue([]), users, enrol });
    fireEvent.click(screen.getByRole("tab", { name: "Users" }));
    const buttons = await screen.findAllByRole("button", { name: "Enrol a device" });
    expect(buttons).toHaveLength(1);
    fireEvent.click(buttons[0]);
    const card = await screen.findByRole("status", { name: "Enrol a device for li" });
    expect(enrol).toHaveBeenCalledWith("li");
    expect(card.textContent).toContain("AB3DE-FG7HJ");
    expect(card.textContent).toContain("fieldcheck://enrol?server=");
    const qr = screen.getByRole("img", { name: "Enrolment QR code" });
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
  });
});

describe("Admin assignments", () => {
  it("cancels an assignment and edits another's period", async () => {
    const a = { id: "a1", assignee: "li", template_id: "t", mode: "overt", unit_id: "cq", starts_on: "2026-12-01", ends_on: "2026-12-31", visits: 2, note: "", cancelled: false, created_by: "wang", updated_at: 0 };
    const assignments = vi.fn().mockResolvedValue([a, { ...a, id: "a2" }]);
    const updateAssignment = vi.fn().mockResolvedValue(undefined);
    renderAdmin({ templates: vi.fn().mockResolvedValue([]), assignments, updateAssignment });
    fireEvent.click(screen.getByRole("tab", { name: "Assignments" }));
    fireEvent.click((await screen.findAllByRole("button", { name: "Cancel" }))[0]);
    await vi.waitFor(() => expect(updateAssignment).toHaveBeenCalledWith("a1", { cancelled: true }));
    fireEvent.click(screen.getAllByRole("button", { name: "Edit" })[1]);
    const row = document.querySelector('tr.editing[data-assignment="a2"]') as HTMLElement;
    fireEvent.change(within(row).getByLabelText("Ends"), { target: { value: "2027-01-15" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() =>
      expect(updateAssignment).toHaveBeenLastCalledWith("a2", { starts_on: "2026-12-01", ends_on: "2027-01-15", visits: 2, note: "" }),
    );
  });
});
