// The real app window (Tauri, WebKitGTK) under Xvfb, driven through
// tauri-driver and WebKitWebDriver, against the real sync server with demo
// data:
// - an inspector signs in online, goes offline (server stopped), completes
//   and submits an audit with a photo; the server starts again; the audit
//   arrives and is scored; the manager returns it through the API; the
//   inspector sees the comment in the app;
// - a surveyor records three intercepts offline, quits a fourth part-way
//   (kept as a partial response), and they arrive;
// - an inspector times a hotline test call with the call bar (a hotline the
//   administrator adds; only hotlines are offered for it);
// - a manager signs in to the app and reviews in the console, online.
//
// FIELDCHECK_SERVER: the server binary; FIELDCHECK_APP: the app binary
// (built with --features custom-protocol); TAURI_DRIVER: tauri-driver.
// Screenshots go to $FIELDCHECK_TEST_OUTPUT (default target/test-output).

import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { Builder, By, until } from "selenium-webdriver";

const here = dirname(fileURLToPath(import.meta.url));
const server = process.env.FIELDCHECK_SERVER;
const app = process.env.FIELDCHECK_APP;
const driverBin = process.env.TAURI_DRIVER ?? "tauri-driver";
assert.ok(server && app, "FIELDCHECK_SERVER and FIELDCHECK_APP name the binaries");
const shots = resolve(process.env.FIELDCHECK_TEST_OUTPUT ?? join(here, "..", "..", "target", "test-output"), "screenshots");
mkdirSync(shots, { recursive: true });

const tmp = mkdtempSync(join(tmpdir(), "fieldcheck-app-"));
const data = join(tmp, "server");
const cleanups = [];
after(async () => {
  // Each step is bounded: a stuck driver must not hold up the run.
  for (const c of cleanups.reverse()) await Promise.race([c().catch(() => {}), sleep(10_000)]);
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

let serverUp = false;

/** Starts the server on `port`; returns a stop function. */
async function startServer(port) {
  const child = spawn(server, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", data], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  serverUp = true;
  const stop = () =>
    new Promise((res) => {
      serverUp = false;
      if (child.exitCode !== null) return res();
      child.once("exit", res);
      child.kill();
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 10_000).unref();
    });
  cleanups.push(stop);
  return stop;
}

async function api(base, method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function login(base, username) {
  const r = await api(base, "POST", "/api/v1/auth/login", null, { username, password: "fieldcheck" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

async function eventually(what, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn().catch((e) => e);
    if (last && !(last instanceof Error)) return last;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
}

/** Xvfb on a free display, and tauri-driver on it; returns a WebDriver session factory. */
async function display() {
  let n = 90 + Math.floor(Math.random() * 100);
  while (existsSync(`/tmp/.X11-unix/X${n}`)) n++;
  const xvfb = spawn("Xvfb", [`:${n}`, "-screen", "0", "1024x768x24", "-nolisten", "tcp"], { stdio: "ignore" });
  cleanups.push(async () => xvfb.kill());
  await eventually("Xvfb", async () => existsSync(`/tmp/.X11-unix/X${n}`), 10_000);
  return `:${n}`;
}

async function openApp(DISPLAY, dir, serverBase) {
  const port = await freePort();
  const nativePort = await freePort();
  const env = {
    ...process.env,
    DISPLAY,
    XDG_DATA_HOME: join(dir, "xdg-data"),
    XDG_CACHE_HOME: join(dir, "xdg-cache"),
    XDG_CONFIG_HOME: join(dir, "xdg-config"),
    FIELDCHECK_DATA_DIR: join(dir, "device"),
    FIELDCHECK_SERVER: serverBase,
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
  };
  const driver = spawn(
    driverBin,
    ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"],
    { env, stdio: "ignore" },
  );
  cleanups.push(async () => driver.kill());
  await eventually("tauri-driver", async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 20_000);
  const session = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: app } })
    .build();
  cleanups.push(() => session.quit());
  return session;
}

/**
 * A screenshot of the app window as the X server shows it. WebKitWebDriver's
 * own screenshot waits for a repaint that an idle page may never make.
 */
async function shot(d, name) {
  await sleep(300);
  const { x, y, width, height } = await d.manage().window().getRect();
  const geometry = [Math.max(0, x), Math.max(0, y), width, height].join(",");
  execFileSync("scrot", ["--overwrite", "-a", geometry, join(shots, `${name}.png`)], { env: { ...process.env, DISPLAY }, timeout: 10_000 });
}

const byText = (text) => By.xpath(`//*[normalize-space(text())=${JSON.stringify(text)}]`);

/** A real click, after scrolling the element clear of the sticky bars. */
async function press(d, el) {
  await d.executeScript((e) => e.scrollIntoView({ block: "center", inline: "center" }), el);
  await el.click();
}

async function click(d, locator) {
  const el = await d.wait(until.elementLocated(locator), 20_000);
  await d.wait(until.elementIsEnabled(el), 10_000);
  await press(d, el);
}

async function waitText(d, text, timeout = 30_000) {
  return d.wait(until.elementLocated(By.xpath(`//*[contains(normalize-space(.), ${JSON.stringify(text)}) and not(*[contains(normalize-space(.), ${JSON.stringify(text)})])]`)), timeout);
}

async function syncState(d) {
  const bar = await d.findElement(By.css(".syncbar"));
  return bar.getAttribute("data-state");
}

async function signIn(d, user) {
  await d.wait(until.elementLocated(By.css("input[name=username]")), 30_000);
  // The app starts in the system's language; these steps read Chinese.
  if ((await d.executeScript(() => document.documentElement.lang)) !== "zh-CN") await click(d, byText("中文"));
  await d.wait(async () => (await d.executeScript(() => document.documentElement.lang)) === "zh-CN", 5_000);
  await d.findElement(By.css("input[name=username]")).sendKeys(user);
  await d.findElement(By.css("input[name=password]")).sendKeys("fieldcheck");
  await click(d, By.css("button[type=submit]"));
  await d.wait(until.elementLocated(By.css(".syncbar")), 30_000);
  await d.wait(async () => (await syncState(d)) === "up_to_date", 60_000, "first sync");
}

/**
 * Answers every required, relevant item that has no answer yet with real
 * clicks: the page only says which control to press next.
 */
async function answerRequired(d, photo) {
  for (let i = 0; i < 200; i++) {
    const next = await d.executeScript(() => {
      for (const f of document.querySelectorAll("fieldset.item[data-required=true][data-answered=false]")) {
        const type = f.dataset.type;
        const buttons = [...f.querySelectorAll(".choices button")].filter((b) => b.textContent !== "不适用" && b.textContent !== "N/A");
        if (type === "photo") return { kind: "photo", el: f.querySelector("input[type=file]") };
        if (type === "duration") return { kind: "timer", el: f.querySelector(".timer button") };
        if (type === "signature") return { kind: "sign", el: f.querySelector("canvas") };
        if (type === "pass_fail" || type === "single_choice") return { kind: "click", el: buttons[0] };
        if (buttons.length) return { kind: "click", el: buttons[buttons.length - 1] };
        return { kind: "unknown", type, item: f.dataset.item };
      }
      return null;
    });
    if (!next) return;
    assert.notEqual(next.kind, "unknown", `no way to answer ${next.item} (${next.type})`);
    const item = await next.el.findElement(By.xpath("ancestor::fieldset")).then((f) => f.getAttribute("data-item"));
    if (next.kind === "photo") await next.el.sendKeys(photo);
    else if (next.kind === "timer") {
      await press(d, next.el); // start
      await sleep(1200);
      await press(d, await d.findElement(By.css(`fieldset[data-item="${item}"] .timer button`))); // stop
    } else if (next.kind === "sign") {
      // A stroke with the pointer, then "save signature".
      await d.executeScript((e) => e.scrollIntoView({ block: "center" }), next.el);
      await d
        .actions({ async: true })
        .move({ origin: next.el, x: -100, y: 0 })
        .press()
        .move({ origin: next.el, x: 0, y: 20, duration: 100 })
        .move({ origin: next.el, x: 100, y: -10, duration: 100 })
        .release()
        .perform();
      await press(d, await d.findElement(By.xpath(`//fieldset[@data-item="${item}"]//button[normalize-space(text())="保存签名"]`)));
    } else await press(d, next.el);
    await d.wait(
      async () => (await d.findElement(By.css(`fieldset[data-item="${item}"]`)).getAttribute("data-answered")) === "true",
      20_000,
      `answer to ${item} saved`,
    );
  }
  throw new Error("items kept asking for answers");
}

let port;
let base;
let stopServer;
let DISPLAY;
const photo = join(tmp, "storefront.png");

before(async () => {
  execFileSync(server, ["demo", "--password", "fieldcheck", "--stores-per-district", "2", "--months", "1", "--data-dir", data], {
    stdio: "ignore",
  });
  // A real PNG: the app keeps it by content hash and uploads it.
  writeFileSync(
    photo,
    Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
      "base64",
    ),
  );
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  stopServer = await startServer(port);
  DISPLAY = await display();
});

test("an inspector audits offline with a photo; it arrives, is returned, and the comment reaches the app", async () => {
  const d = await openApp(DISPLAY, join(tmp, "inspector"), base);
  await signIn(d, "inspector");
  await waitText(d, "我的任务");
  await shot(d, "app-1-assignments");

  // Offline from here: the server is gone.
  await stopServer();
  await d.wait(async () => ["offline", "connecting"].includes(await syncState(d)), 60_000, "offline shown");

  // The open audit of the city's stores: start it at the first store.
  const card = await d.wait(
    until.elementLocated(By.xpath(`//div[contains(@class,'assignment')][.//h2[contains(., '明查')]]`)),
    20_000,
  );
  await press(d, await card.findElement(By.css("button.store")));
  await d.wait(until.elementLocated(By.css("fieldset.item")), 20_000);
  // Submitting early is refused with the problems shown.
  await click(d, byText("提交"));
  await waitText(d, "还不能提交");
  await answerRequired(d, photo);
  await shot(d, "app-2-audit-filled");
  await click(d, byText("提交"));
  await waitText(d, "我的记录");
  await waitText(d, "已提交");
  await shot(d, "app-3-submitted-offline");
  assert.equal(await syncState(d), "offline", "still offline");

  // The server comes back: the audit and its photo go up by themselves.
  stopServer = await startServer(port);
  const manager = await login(base, "manager");
  const row = await eventually("the audit on the server, scored", async () => {
    const q = await api(base, "GET", "/api/v1/records?inspector=inspector&status=submitted", manager);
    return q.body.records.find((r) => r.doc_id.startsWith("audit-") && r.score !== null);
  });
  const detail = await api(base, "GET", `/api/v1/records/${row.doc_id}`, manager);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.record.status, "submitted");
  const photoItem = detail.body.form.sections.flatMap((s) => s.items).find((i) => i.input.type === "photo");
  const hash = photoItem.value[0].hash;
  await eventually("the photo on the server", async () => (await fetch(`${base}/api/v1/media/${hash}`, { headers: { Authorization: `Bearer ${manager}` } })).status === 200);

  // The manager returns it; the comment reaches the app by sync.
  const ret = await api(base, "POST", `/api/v1/records/${row.doc_id}/return`, manager, { comment: "请补拍门头照片" });
  assert.equal(ret.status, 200, JSON.stringify(ret.body));
  await waitText(d, "已退回", 60_000);
  await click(d, By.xpath(`//button[contains(@class,'record')][.//span[contains(., '已退回')]]`));
  await waitText(d, "请补拍门头照片");
  await shot(d, "app-4-returned-with-comment");

  // Home again: a notice of the returned record, and "My records" by status.
  await click(d, byText("稍后继续"));
  await waitText(d, "条记录被退回，请修改后重新提交");
  const filter = (name) => By.xpath(`//button[@aria-pressed][normalize-space(.)=${JSON.stringify(name)}]`);
  await click(d, filter("已提交"));
  await d.wait(async () => (await d.findElements(By.xpath("//button[contains(@class,'record')][.//span[contains(., '已退回')]]"))).length === 0, 10_000, "a returned record is not among those sent");
  await click(d, filter("未完成"));
  await d.wait(until.elementLocated(By.xpath("//button[contains(@class,'record')][.//span[contains(., '已退回')]]")), 10_000);
  await shot(d, "app-5-home-notice");
});

/**
 * How many items of the form are answered; -1 while the form re-renders
 * under the driver (an element found goes stale before its handle is made),
 * so that a wait asks again.
 */
async function answeredItems(d) {
  try {
    return (await d.findElements(By.css("fieldset.item[data-answered=true]"))).length;
  } catch (e) {
    if (e.name === "StaleElementReferenceError") return -1;
    throw e;
  }
}

test("a surveyor records three intercepts offline, quits a fourth, and they arrive", async () => {
  if (!serverUp) stopServer = await startServer(port);
  const d = await openApp(DISPLAY, join(tmp, "surveyor"), base);
  await signIn(d, "surveyor");
  await stopServer();
  await d.wait(async () => ["offline", "connecting"].includes(await syncState(d)), 60_000, "offline shown");
  const card = await d.wait(
    until.elementLocated(By.xpath(`//div[contains(@class,'assignment')][.//h2[contains(., '拦截访问')]]`)),
    20_000,
  );
  await press(d, await card.findElement(By.css("button.store")));
  await click(d, byText("开始下一位"));
  for (let n = 1; n <= 3; n++) {
    await d.wait(until.elementLocated(By.css("fieldset.item")), 20_000);
    await answerRequired(d, photo);
    if (n === 1) await shot(d, "app-5-intercept");
    await click(d, byText("提交"));
    // Without kiosk mode the next interview starts at once.
    await d.wait(async () => (await answeredItems(d)) === 0, 20_000);
  }
  // The fourth respondent leaves after one answer. The template keeps
  // partial responses: the interview ends as one, and fills no quota.
  const choice = By.css("fieldset.item[data-type=single_choice] .choices button");
  await d.wait(until.elementLocated(choice), 20_000);
  await press(d, await d.findElement(choice));
  await d.wait(async () => (await answeredItems(d)) === 1, 20_000, "one answer saved");
  await click(d, byText("中止访问"));
  await waitText(d, "已答内容将作为部分完成的问卷保存");
  await shot(d, "app-6-intercept-quit");
  await click(d, byText("确定结束"));
  await waitText(d, "访问已中止，已答内容作为部分完成保存");
  await waitText(d, "今日 3/20 份");
  await shot(d, "app-6-intercept-count");

  stopServer = await startServer(port);
  const manager = await login(base, "manager");
  const mine = async (status) => {
    const q = await api(base, "GET", `/api/v1/records?kind=questionnaire&inspector=surveyor&status=${status}`, manager);
    return q.body.records.filter((r) => r.doc_id.startsWith("survey-")).length;
  };
  await eventually("three responses and a partial one on the server", async () => (await mine("submitted")) === 3 && (await mine("partial")) === 1);
  assert.equal(await mine("draft"), 0, "no interview is left hanging as a draft");
});

test("an inspector times a hotline test call with the call bar", async () => {
  if (!serverUp) stopServer = await startServer(port);
  // The administrator adds a hotline; the test-call assignment offers it alone.
  const admin = await login(base, "admin");
  const csv = "id,parent,level,name_zh,name_en,channel\nsc/cd/gx/hl,sc/cd/gx,store,10010 客服热线,10010 hotline,hotline\n";
  const res = await fetch(`${base}/api/v1/units/import?file=hotline.csv`, {
    method: "POST",
    headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/octet-stream" },
    body: csv,
  });
  assert.equal(res.status, 200, await res.text());

  const d = await openApp(DISPLAY, join(tmp, "caller"), base);
  await signIn(d, "inspector");
  const card = await d.wait(
    until.elementLocated(By.xpath(`//div[contains(@class,'assignment')][.//h2[contains(., '客服热线拨测')]]`)),
    20_000,
  );
  const stores = await card.findElements(By.css("button.store"));
  assert.deepEqual(await Promise.all(stores.map((b) => b.findElement(By.css("span")).getText())), ["10010 客服热线"], "only the hotline is offered");
  await press(d, stores[0]);
  await d.wait(until.elementLocated(By.css(".calltimer")), 20_000);
  // Through on the first attempt: the timing items appear.
  await press(d, await d.findElement(By.xpath(`//fieldset[@data-item="connected"]//button[normalize-space(text())="合格"]`)));
  await d.wait(until.elementLocated(By.css('fieldset[data-item="answer_s"]')), 20_000);
  await click(d, byText("开始拨打"));
  await click(d, byText("转人工"));
  await sleep(1200);
  await click(d, byText("人工接听"));
  await sleep(1200);
  await shot(d, "app-7-test-call");
  await click(d, byText("挂断"));
  for (const item of ["call_time", "answer_s", "talk_s"]) {
    await d.wait(
      async () => (await d.findElement(By.css(`fieldset[data-item="${item}"]`)).getAttribute("data-answered")) === "true",
      20_000,
      `${item} recorded by the call bar`,
    );
  }
  const talk = await d.findElement(By.css('fieldset[data-item="talk_s"] output')).getText();
  assert.match(talk, /[1-9]/, `the talk lasted a second or more: ${talk}`);
});

test("a manager signs in to the app and reviews in the console", async () => {
  if (!serverUp) stopServer = await startServer(port);
  const d = await openApp(DISPLAY, join(tmp, "manager"), base);
  await d.wait(until.elementLocated(By.css("input[name=username]")), 30_000);
  if ((await d.executeScript(() => document.documentElement.lang)) !== "zh-CN") await click(d, byText("中文"));
  await d.findElement(By.css("input[name=username]")).sendKeys("manager");
  await d.findElement(By.css("input[name=password]")).sendKeys("fieldcheck");
  await click(d, By.css("button[type=submit]"));
  // The console's queue, from the server through the window's own fetch.
  await waitText(d, "待审核的检查", 30_000);
  // The console's pages are links in a header that scrolls sideways in a
  // narrow window.
  const followUps = await d.wait(until.elementLocated(By.css('header nav a[href="/follow-ups"]')), 20_000);
  await d.executeScript((e) => e.click(), followUps);
  await d.wait(until.elementLocated(By.css("table.followups tbody tr")), 30_000);
  await shot(d, "app-8-manager-console");
  const signOut = await d.findElement(By.xpath('//header//nav//button[normalize-space(.)="退出"]'));
  await d.executeScript((e) => e.click(), signOut);
  await d.wait(until.elementLocated(By.css("input[name=server]")), 20_000);
});
