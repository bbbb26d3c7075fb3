// A question answered with a recording or a file: its button asks for the
// right kind of file (the microphone or camera at once where there is one),
// and what it holds is played back, or named where it cannot be shown.

import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FieldApi } from "../api/field";
import type { Input, MediaRef } from "../api/types";
import { I18nProvider } from "../i18n";
import { itemView } from "../test/fakeApi";
import { Item } from "./Item";

afterEach(cleanup);


function shown(input: Input, value: MediaRef[] | null) {
  const api = { mediaUrl: vi.fn(async () => "blob:recording") } as unknown as FieldApi;
  const { container } = render(
    <I18nProvider initial="en">
      <Item api={api} item={itemView("consent", input, value)} editable save={async () => {}} attach={async () => {}} />
    </I18nProvider>,
  );
  return container;
}

describe("Item files", () => {
  it("records audio with the microphone and plays it back", async () => {
    const clip = { hash: "ab".repeat(32), mime: "audio/mp4", size: 10 };
    const page = shown({ type: "audio" }, [clip]);
    const pick = screen.getByLabelText("Record audio") as HTMLInputElement;
    expect(pick.accept).toBe("audio/*");
    expect(pick.getAttribute("capture")).toBe("environment");
    await vi.waitFor(() => expect(page.querySelector("audio")?.getAttribute("src")).toBe("blob:recording"));
  });

  it("takes any file, from the files on the device, and names one it cannot show", async () => {
    const sheet = { hash: "cd".repeat(32), mime: "application/pdf", size: 10 };
    const page = shown({ type: "file" }, [sheet]);
    const pick = screen.getByLabelText("Add file") as HTMLInputElement;
    expect(pick.accept).toBe("");
    expect(pick.hasAttribute("capture")).toBe(false);
    await vi.waitFor(() => expect(page.querySelector(".thumb.file")?.textContent).toBe("application/pdf"));
  });
});
