// Marking an action done with a note and a photo: the action names the
// photo first, then its bytes go up (the server takes a file only for a
// record that references it).

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { HttpApi } from "../api/http";
import { fakeApi } from "../test/fakeApi";
import { CompleteAction } from "./CompleteAction";

afterEach(cleanup);

describe("CompleteAction", () => {
  it("names the photo in the step, then uploads it", async () => {
    const calls: string[] = [];
    const ref = { hash: "ab".repeat(32), mime: "image/jpeg", size: 5 };
    const api = fakeApi({
      mediaRef: vi.fn(async () => (calls.push("hash"), ref)),
      actionStep: vi.fn(async () => (calls.push("step"), "done")),
      upload: vi.fn(async () => void calls.push("upload")),
    });
    const onDone = vi.fn();
    render(
      <I18nProvider initial="en">
        <CompleteAction api={api} doc="d1" action="a1" onDone={onDone} onCancel={() => {}} />
      </I18nProvider>,
    );
    const done = screen.getByRole("button", { name: "Mark done" }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("What was done"), { target: { value: "New light box" } });
    const photo = new File(["12345"], "fix.jpg", { type: "image/jpeg" });
    fireEvent.change(screen.getByLabelText("Photos of the fix (0 chosen)"), { target: { files: [photo] } });
    fireEvent.click(done);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(calls).toEqual(["hash", "step", "upload"]);
    expect(api.actionStep).toHaveBeenCalledWith("d1", "a1", "complete", { note: "New light box", evidence: [ref] });
    expect(api.upload).toHaveBeenCalledWith(photo, ref);
  });

  it("names a file by its BLAKE3 hash, as the server does", async () => {
    const ref = await new HttpApi().mediaRef(new Blob(["abc"], { type: "image/png" }));
    // BLAKE3("abc"), from the reference implementation's test vectors.
    expect(ref).toEqual({ hash: "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85", mime: "image/png", size: 3 });
  });
});
