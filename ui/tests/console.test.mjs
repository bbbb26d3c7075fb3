// The web console in a real browser (Debian's chromium through
// playwright-core) against the real server: sign in, see the review queue,
// switch the language at run time, sign out.
//
// FIELDCHECK_SERVER: the fieldcheck-server binary. Run with `node --test`.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const server = process.env.FIELDCHECK_SERVER;
assert.ok(server, "FIELDCHECK_SERVER names the server binary");
const data = mkdtempSync(join(tmpdir(), "fieldcheck-console-"));
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(data, { recursive: true, force: true });
});

function cli(...args) {
  execFileSync(server, [...args, "--data-dir", data], { stdio: "ignore" });
}

async function startServer() {
  const child = spawn(server, ["serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--console", join(here, "..", "dist")], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  cleanups.push(() => child.kill());
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  return `http://${line.trim().split("http://").pop()}`;
}

test("a manager signs in, sees the queue and switches the language", async () => {
  cli("user", "add", "wang", "--role", "manager", "--scope", "*", "--password", "pw-123456");
  const base = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ locale: "zh-CN" });
  await page.goto(base);

  // A wrong password is refused in the user's language, and nothing is kept.
  await page.getByLabel("用户名").fill("wang");
  await page.getByLabel("密码").fill("wrong-password");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("alert").getByText("用户名或密码错误").waitFor();

  await page.getByLabel("密码").fill("pw-123456");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("heading", { name: "待审核的检查" }).waitFor();
  await page.getByText("没有待审核的检查").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");

  // Switched at run time: every string follows.
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Audits to review" }).waitFor();
  await page.getByText("Nothing to review").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");

  // A reload keeps the session; signing out ends it on the server too.
  const token = await page.evaluate(() => sessionStorage.getItem("fieldcheck.token"));
  assert.ok(token);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  const res = await fetch(`${base}/api/v1/records`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401, "the token is revoked");
});
