// The web console in a real browser (Debian's chromium through
// playwright-core) against the real server: sign in, switch the language at
// run time, reload, open a new tab and a deep link, sign out; on the demo
// province, review (filter by name, return, approve, open a corrective
// action for a person in scope), follow actions up, drill down the ratings
// by period, export, read satisfaction; as an administrator, check and
// publish a template (its problems in Chinese), assign work, disable and
// re-enable a user; store staff see no button the server would refuse.
//
// FIELDCHECK_SERVER: the fieldcheck-server binary. Run with `node --test`.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

const shots = join(process.env.FIELDCHECK_TEST_OUTPUT ?? join(here, "..", "..", "target", "test-output"), "screenshots");
mkdirSync(shots, { recursive: true });

function cli(...args) {
  execFileSync(server, [...args, "--data-dir", data], { stdio: "ignore" });
}

async function startServer(dir = data) {
  const child = spawn(server, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--console", join(here, "..", "dist")], {
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

async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  cleanups.push(() => browser.close());
  return browser;
}

/**
 * A data folder of its own (`name`) holding the `stores` table and a manager
 * `wang` over all of it, served; a zh-CN page signed in as wang.
 */
async function managerOf(name, stores) {
  const dir = join(data, name);
  mkdirSync(dir);
  const table = join(dir, "stores.csv");
  writeFileSync(table, stores);
  for (const args of [["stores", "import", table], ["user", "add", "wang", "--role", "manager", "--scope", "cq", "--password", "pw-123456"]]) {
    execFileSync(server, [...args, "--data-dir", dir], { stdio: "ignore" });
  }
  const base = await startServer(dir);
  const browser = await launch();
  const page = await browser.newPage({ locale: "zh-CN", viewport: { width: 1366, height: 900 } });
  await page.goto(base);
  await page.getByLabel("用户名").fill("wang");
  await page.getByLabel("密码").fill("pw-123456");
  await page.getByRole("button", { name: "登录" }).click();
  return page;
}

test("a manager signs in, sees the queue and switches the language", async () => {
  cli("user", "add", "wang", "--role", "manager", "--scope", "*", "--password", "pw-123456");
  const base = await startServer();
  const browser = await launch();
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
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

  // The page has an address; a reload keeps the session and the language,
  // and so does a new tab; Back goes back within the console.
  assert.equal(new URL(page.url()).pathname, "/queue");
  await page.getByRole("link", { name: "Ratings" }).click();
  await page.waitForURL(/\/ratings/);
  await page.goBack();
  await page.waitForURL(/\/queue/);
  await page.reload();
  await page.getByRole("heading", { name: "Audits to review" }).waitFor();
  const tab = await context.newPage();
  await tab.goto(`${base}/follow-ups`);
  await tab.getByRole("heading", { name: "Corrective actions to follow up" }).waitFor();
  await tab.close();
  // An address that is no page says so.
  await page.goto(`${base}/no/such/page`);
  await page.getByText("There is no such page").waitFor();
  await page.goto(`${base}/queue`);

  // Signing out ends the session on the server too.
  const token = await page.evaluate(() => localStorage.getItem("fieldcheck.token"));
  assert.ok(token);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  const res = await fetch(`${base}/api/v1/records`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401, "the token is revoked");
});

test("a manager reviews the demo province: filters, returns, approves, opens an action, drills down, exports", async () => {
  const demo = join(data, "demo");
  execFileSync(server, ["demo", "--password", "fieldcheck", "--stores-per-district", "2", "--months", "3", "--data-dir", demo], { stdio: "ignore" });
  const base = await startServer(demo);
  const browser = await launch();
  const page = await browser.newPage({ locale: "zh-CN", viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await page.goto(base);
  await page.getByLabel("用户名").fill("manager");
  await page.getByLabel("密码").fill("fieldcheck");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("heading", { name: "待审核的检查" }).waitFor();

  // Filter: one inspector's submitted audits, picked by name; the filter is
  // in the address.
  await page.locator("select[name=inspector]").selectOption("inspector");
  await page.waitForURL(/inspector=inspector/);
  // The unfiltered rows stay on screen until the filtered answer comes.
  await page
    .waitForFunction(() => {
      const rows = [...document.querySelectorAll("tbody tr[data-author]")];
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-author") === "inspector");
    }, null, { timeout: 15_000 })
    .catch(() => {});
  const authors = await page.locator("tbody tr[data-author]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-author")));
  assert.ok(authors.length >= 1 && authors.every((a) => a === "inspector"), authors.join(","));
  // Stores by name, not by id.
  const firstStore = await page.locator("tbody tr td a").first().textContent();
  assert.ok(!/^sc\//.test(firstStore), `the store is named: ${firstStore}`);
  await page.screenshot({ path: join(shots, "console-1-queue.png") });

  // A store found by part of its name in Chinese: every row is in it.
  const district = await page.evaluate(async () => {
    const token = localStorage.getItem("fieldcheck.token");
    const units = await (await fetch("/api/v1/units", { headers: { Authorization: `Bearer ${token}` } })).json();
    return units.find((u) => u.level === "district");
  });
  await page.getByLabel("门店").fill(district.name_zh.slice(0, 3));
  await page.waitForURL((u) => u.searchParams.get("store") !== null);
  const picked = new URL(page.url()).searchParams.get("store");
  assert.ok(district.id.startsWith(picked) || picked.startsWith(district.id.split("/").slice(0, 2).join("/")), `${picked} for ${district.name_zh}`);
  await page.getByLabel("门店").fill("");
  await page.waitForURL((u) => u.searchParams.get("store") === null);

  // Return the first with a comment; its page has its own address, which a
  // reload opens again.
  const first = await page.locator("tbody tr").first().getAttribute("data-doc");
  await page.locator(`tbody tr[data-doc="${first}"]`).click();
  await page.getByRole("heading", { name: "答案" }).waitFor();
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/records/${first}`);
  await page.reload();
  await page.getByRole("heading", { name: "答案" }).waitFor();
  await page.getByLabel("审核意见").fill("门头照片不清晰，请补拍");
  await page.getByRole("button", { name: "退回修改" }).click();
  await page.getByRole("status").getByText("已退回给检查员").waitFor();
  await page.screenshot({ path: join(shots, "console-2-returned.png"), fullPage: true });
  // The printable report, from the audit, with Print / PDF.
  await page.getByRole("link", { name: "打印报告" }).click();
  await page.getByRole("button", { name: "打印 / 导出 PDF" }).waitFor();
  await page.frameLocator("iframe").locator("h1").first().waitFor();
  await page.screenshot({ path: join(shots, "console-2-report.png"), fullPage: true });
  await page.getByRole("button", { name: "返回检查" }).click();
  await page.getByRole("button", { name: "返回列表" }).click();
  // Back on the filtered list, as it was.
  await page.waitForURL(/inspector=inspector/);
  await page.locator("select[name=inspector]").selectOption("");

  // Approve another; its failed item gets a corrective action.
  const second = page.locator(`tbody tr:not([data-doc="${first}"])`).first();
  const secondDoc = await second.getAttribute("data-doc");
  await second.click();
  await page.getByRole("button", { name: "审核通过", exact: true }).click();
  await page.getByRole("status").getByText("已审核通过").waitFor();

  const token = await page.evaluate(() => localStorage.getItem("fieldcheck.token"));
  const get = async (id) =>
    (await fetch(`${base}/api/v1/records/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  assert.equal((await get(first)).record.status, "returned");
  assert.equal((await get(first)).comments.at(-1).text, "门头照片不清晰，请补拍");
  assert.equal((await get(secondDoc)).record.status, "approved");

  const failed = page.getByRole("button", { name: "创建整改" });
  if ((await failed.count()) === 0) {
    // Not every audit fails an item: find one that does among the approved.
    throw new Error("the approved audit has no failed item; the demo data changed");
  }
  await failed.first().click();
  await page.getByLabel("整改内容").fill("更换门头灯箱");
  // The assignee is picked from the people in the store's scope.
  const people = await page.locator("select[name=assignee] option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(people.some((p) => p.startsWith("staff.")), people.join(","));
  await page.locator("select[name=assignee]").selectOption(people.find((p) => p.startsWith("staff.")));
  await page.getByRole("button", { name: "创建", exact: true }).click();
  await page.getByRole("status").getByText("整改任务已创建").waitFor();
  assert.equal((await get(secondDoc)).actions.at(-1).description, "更换门头灯箱");

  // The dashboard: drill down from the city to a district, see the trend.
  // It opens on the last complete month, not the one filling up.
  await page.getByRole("link", { name: "渠道评级" }).click();
  await page.getByRole("heading", { name: "渠道合规评级" }).waitFor();
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  await page.locator("select[name=period] option").first().waitFor({ state: "attached" });
  assert.ok((await page.locator("select[name=period]").inputValue()) < thisMonth, "a complete month first");
  await page.locator("tr.clickable[data-unit]").first().waitFor();
  await page.locator(".chart canvas").first().waitFor();
  await page.screenshot({ path: join(shots, "console-3-dashboard-city.png"), fullPage: true });
  const drilled = await page.locator("tr.clickable[data-unit]").first().getAttribute("data-unit");
  // By its id: the league may re-sort as the ratings arrive.
  await page.locator(`tr[data-unit="${drilled}"]`).click();
  await page.locator(`tr[data-unit^="${drilled}/"]`).first().waitFor();
  await page.waitForURL((u) => u.searchParams.get("unit") === drilled);
  // Places: 1 first, equal scores share one, none for a withheld score.
  const places = (await page.locator("table.league tbody tr td:first-child").allTextContents()).filter((p) => p !== "—").map(Number);
  assert.deepEqual(places, [...places].sort((a, b) => a - b), `places in order: ${places}`);
  if (places.length) assert.equal(places[0], 1);
  // The district's stores on the map, each opening its page: score
  // history, audits, open actions; Back returns to the district.
  await page.getByRole("heading", { name: "门店分布" }).waitFor();
  await page.getByRole("img", { name: /家门店的位置，按合规等级着色/ }).waitFor();
  const store = page.locator("figure.map li button").first();
  const storeName = (await store.textContent()).split(":")[0];
  await store.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/stores\//);
  await page.getByRole("heading", { name: storeName, exact: true }).waitFor();
  await page.getByRole("heading", { name: "历月合规得分" }).waitFor();
  await page.getByRole("heading", { name: "最近的检查" }).waitFor();
  await page.locator(".store-page ul.plain li a[href^='/records/']").first().waitFor();
  // The chart draws its lines with a short animation: let it finish for the picture.
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(shots, "console-3-store.png"), fullPage: true });
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get("unit") === drilled);
  // By quarter: the address says so.
  await page.locator("select[name=granularity]").selectOption("quarter");
  await page.waitForURL(/granularity=quarter/);
  await page.locator("select[name=period] option", { hasText: "Q" }).first().waitFor({ state: "attached" });
  await page.locator(".chart canvas").first().waitFor();
  await page.screenshot({ path: join(shots, "console-3-dashboard-zh.png"), fullPage: true });

  // Export XLSX with progress: a real workbook arrives.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "评级 (Excel)" }).click();
  const file = await (await download).path();
  assert.equal(readFileSync(file).subarray(0, 2).toString(), "PK", "an XLSX (zip) file");
  // The records export takes a checklist, chosen here.
  assert.equal(await page.getByRole("button", { name: "检查明细 (Excel)" }).isDisabled(), true);
  await page.locator("select[name=exportTemplate]").selectOption({ index: 1 });
  const records = page.waitForEvent("download");
  await page.getByRole("button", { name: "检查明细 (Excel)" }).click();
  assert.equal(readFileSync(await (await records).path()).subarray(0, 2).toString(), "PK", "the records workbook");

  // The same screen in English.
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Channel compliance ratings" }).waitFor();
  await page.getByRole("heading", { name: "League table" }).waitFor();
  await page.screenshot({ path: join(shots, "console-4-dashboard-en.png"), fullPage: true });
  await page.getByRole("button", { name: "中文" }).click();

  // The follow-up list: the new action is there; overdue ones stand out;
  // marking it done moves it on.
  await page.getByRole("link", { name: "整改跟踪" }).click();
  await page.getByRole("heading", { name: "整改跟踪" }).waitFor();
  const mine = page.locator("tr", { hasText: "更换门头灯箱" });
  await mine.waitFor();
  assert.equal(await page.locator("tr.overdue").count() > 0, true, "the demo has overdue actions, highlighted");
  await page.getByLabel("显示").selectOption("overdue");
  // Only overdue ones, once the list has been asked again.
  await page.waitForFunction(() => document.querySelectorAll("table.followups tbody tr:not(.overdue)").length === 0);
  assert.ok((await page.locator("table.followups tbody tr.overdue").count()) > 0);
  await page.getByLabel("显示").selectOption("open");
  await mine.getByRole("button", { name: "标记已整改" }).click();
  await mine.getByRole("button", { name: "验证通过" }).waitFor();
  assert.equal((await get(secondDoc)).actions.at(-1).status, "done");
  await page.screenshot({ path: join(shots, "console-5-follow-up.png"), fullPage: true });

  // Satisfaction: indices with bands, NPS, the gaps and the IPA quadrants.
  await page.getByRole("link", { name: "满意度" }).click();
  await page.getByRole("heading", { name: "满意度指数（TCSI）" }).waitFor();
  await page.locator('tr[data-construct="satisfaction"]').getByText(/满意|一般/).first().waitFor();
  await page.getByRole("heading", { name: "净推荐值（NPS）" }).waitFor();
  await page.getByRole("heading", { name: "重要性-表现分析" }).waitFor();
  await page.locator(".chart canvas").first().waitFor();
  assert.ok((await page.locator(".quadrants li").count()) >= 2, "attributes fall in quadrants");
  await page.getByRole("heading", { name: "服务质量差距（感知 − 期望）" }).waitFor();
  // Construct weights by PLS from these responses: kept as a set, read by
  // label; publishing them is for administrators.
  await page.getByRole("button", { name: "估计权重" }).click();
  await page.locator('tr[data-item="pq_overall"]').getByText("感知质量").waitFor();
  await page.getByText(/基于 .+ 的 \d+ 份问卷/).waitFor();
  assert.equal(await page.locator("ul.paths li").count(), 9, "the satisfaction model's nine paths");
  assert.equal(await page.getByRole("button", { name: "按此权重发布问卷新版本" }).count(), 0);
  await page.screenshot({ path: join(shots, "console-6-satisfaction.png"), fullPage: true });
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Importance-performance analysis" }).waitFor();
  await page.getByText("Fix first").or(page.getByText("Keep up")).first().waitFor();
  await page.getByRole("button", { name: "中文" }).click();
});

test("an administrator checks a template file, sees its problems, publishes it and assigns work", async () => {
  const demo = join(data, "demo-admin");
  execFileSync(server, ["demo", "--password", "fieldcheck", "--stores-per-district", "1", "--months", "1", "--data-dir", demo], { stdio: "ignore" });
  const base = await startServer(demo);
  const browser = await launch();
  const page = await browser.newPage({ locale: "zh-CN" });
  await page.goto(base);
  await page.getByLabel("用户名").fill("admin");
  await page.getByLabel("密码").fill("fieldcheck");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("link", { name: "管理" }).click();
  await page.getByRole("tab", { name: "检查表" }).waitFor();

  // A broken file: every problem is listed and nothing is published.
  await page.locator("tr[data-template]").first().waitFor();
  const before = await page.locator("tr[data-template]").count();
  const broken = join(data, "broken.toml");
  writeFileSync(broken, 'id = "x"\nkind = "checklist"\n');
  await page.getByLabel("检查表文件（TOML、JSON 或 XLSForm）").setInputFiles(broken);
  await page.getByRole("button", { name: "检查文件" }).click();
  await page.getByRole("alert").getByText("未做任何改动").waitFor();
  assert.ok((await page.getByRole("alert").locator("li").count()) >= 1, "the problems are listed");
  // In Chinese, as the server's codes are rendered.
  for (const li of await page.getByRole("alert").locator("li").allTextContents()) {
    assert.match(li, /[\u4e00-\u9fff]/, `a problem in Chinese: ${li}`);
  }
  await page.screenshot({ path: join(shots, "console-7-template-problems.png"), fullPage: true });

  // A good one: checked, previewed, then published.
  await page.getByLabel("检查表文件（TOML、JSON 或 XLSForm）").setInputFiles(join(here, "..", "..", "core", "tests", "fixtures", "worked_example.toml"));
  await page.getByRole("button", { name: "检查文件" }).click();
  await page.getByRole("status").getByText("新版本").waitFor();
  assert.equal(await page.locator("tr[data-template]").count(), before, "a check publishes nothing");
  await page.getByRole("button", { name: "发布" }).click();
  await page.getByText("已发布，设备同步后即可使用").waitFor();
  await page.locator('tr[data-template="worked"]').waitFor();

  // An assignment for the demo inspector.
  await page.getByRole("tab", { name: "任务分派" }).click();
  await page.locator("tr[data-assignment]").first().waitFor();
  const rows = await page.locator("tr[data-assignment]").count();
  await page.getByLabel("执行人").fill("inspector");
  await page.locator("select[name=template_id]").selectOption("owned_hall_mystery");
  await page.locator("select[name=mode]").selectOption("mystery");
  await page.getByLabel("门店或区域").fill("sc/cd/gx");
  await page.getByLabel("开始日期").fill("2026-12-01");
  await page.getByLabel("结束日期").fill("2026-12-31");
  await page.getByRole("button", { name: "分派", exact: true }).click();
  await page.getByRole("status").getByText("任务已分派").waitFor();
  await page.waitForFunction((n) => document.querySelectorAll("tr[data-assignment]").length === n + 1, rows);

  // A bad one is refused with the server's reason, in Chinese.
  await page.getByLabel("门店或区域").fill("nowhere/at/all");
  await page.getByRole("button", { name: "分派", exact: true }).click();
  await page.getByRole("alert").getByText("nowhere/at/all").waitFor();
  assert.match(await page.getByRole("alert").textContent(), /[\u4e00-\u9fff]/);
  assert.equal(await page.locator("tr[data-assignment]").count(), rows + 1, "nothing added");

  // A wave of mystery visits: planned on the calendar, then assigned.
  await page.getByRole("tab", { name: "排期" }).click();
  await page.locator("select[name=wave_template]").selectOption("owned_hall_mystery");
  await page.getByLabel("门店或区域").fill("sc/cd/gx");
  await page.getByRole("button", { name: "预览排期" }).click();
  await page.getByRole("status").getByText(/共 \d+ 次走访/).waitFor();
  assert.ok((await page.locator("table.calendar td.planned").count()) > 0, "planned days on the calendar");
  await page.screenshot({ path: join(shots, "console-12-schedule.png"), fullPage: true });
  await page.getByRole("button", { name: /生成 \d+ 个任务/ }).click();
  await page.getByRole("status").getByText(/已生成 \d+ 个任务/).waitFor();

  // A user without a password gets one generated, shown once.
  await page.getByRole("tab", { name: "用户" }).click();
  await page.locator("tr[data-user]").first().waitFor();
  await page.getByLabel("用户名").fill("li.si");
  await page.getByLabel("姓名").fill("李四");
  await page.locator("select[name=role]").selectOption("inspector");
  await page.getByLabel("范围").fill("sc/cd/gx");
  await page.getByRole("button", { name: "添加用户" }).click();
  await page.getByRole("status").getByText(/已添加用户 li.si，初始密码 \S{8,}/).waitFor();
  await page.locator('tr[data-user="li.si"]').waitFor();
  // Disabled: signed out and refused; enabled again.
  await page.locator('tr[data-user="li.si"]').getByRole("button", { name: "停用" }).click();
  await page.getByRole("status").getByText("已停用 li.si，其登录已全部失效").waitFor();
  await page.locator('tr[data-user="li.si"]').getByText("已停用").waitFor();
  await page.locator('tr[data-user="li.si"]').getByRole("button", { name: "启用" }).click();
  await page.locator('tr[data-user="li.si"]').getByText("在用").waitFor();

  // Stores from a table: a bad one says where and imports nothing; a good
  // one is in the hierarchy at once.
  await page.getByRole("tab", { name: "门店与层级" }).click();
  await page.locator("tr[data-unit]").first().waitFor();
  const units = await page.locator("tr[data-unit]").count();
  const bad = join(data, "stores-bad.csv");
  writeFileSync(bad, "id,parent,level,name_zh,name_en,channel\nsc/cd/gx/new,sc/cd/nowhere,store,新店,New store,owned_hall\n");
  await page.getByLabel("导入门店表（CSV 或 XLSX）").setInputFiles(bad);
  await page.getByRole("alert").getByText("第 2 行").waitFor();
  assert.equal(await page.locator("tr[data-unit]").count(), units, "nothing imported");
  const good = join(data, "stores.csv");
  writeFileSync(good, "id,parent,level,name_zh,name_en,channel\nsc/cd/gx/new,sc/cd/gx,store,高新区新店,Gaoxin new store,owned_hall\n");
  await page.getByLabel("导入门店表（CSV 或 XLSX）").setInputFiles(good);
  await page.getByRole("status").getByText("已导入 1 个单位").waitFor();
  await page.locator('tr[data-unit="sc/cd/gx/new"]').waitFor();
  await page.screenshot({ path: join(shots, "console-8-admin-units.png"), fullPage: true });
});

test("store staff see their store's actions with only the step they may take", async () => {
  const demo = join(data, "demo-staff");
  execFileSync(server, ["demo", "--password", "fieldcheck", "--stores-per-district", "1", "--months", "2", "--data-dir", demo], { stdio: "ignore" });
  const base = await startServer(demo);
  const browser = await launch();
  const page = await browser.newPage({ locale: "en", viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/follow-ups?show=all`);
  await page.getByLabel("User name").fill("staff.gx");
  await page.getByLabel("Password").fill("fieldcheck");
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in on the address asked for.
  await page.getByRole("heading", { name: "Corrective actions to follow up" }).waitFor();
  await page.locator("table.followups tbody tr").first().waitFor();
  const offered = await page.locator("table.followups button").allTextContents();
  assert.ok(!offered.includes("Verify") && !offered.includes("Reopen"), offered.join(","));
  assert.equal(await page.getByRole("link", { name: "Admin" }).count(), 0);
  // An audit, read only: no review buttons.
  await page.locator("table.followups tbody tr").first().getByRole("link", { name: "Open audit" }).click();
  await page.getByRole("heading", { name: "Answers" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Approve" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Corrective action" }).count(), 0);
  // Their own open action, closed with a note and a photo of the fix.
  await page.goBack();
  await page.getByLabel("Show").selectOption("open");
  const mine = page.locator("table.followups tbody tr", { has: page.getByRole("button", { name: "Mark done" }) }).first();
  await mine.waitFor();
  const actionId = await mine.getAttribute("data-action");
  const doc = decodeURIComponent((await mine.getByRole("link", { name: "Open audit" }).getAttribute("href")).split("/").pop());
  await mine.getByRole("button", { name: "Mark done" }).click();
  const form = page.getByRole("form", { name: "Mark the action done" });
  await form.getByLabel("What was done").fill("New light box fitted");
  const png = join(data, "fix.png");
  writeFileSync(png, Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
  await form.locator("input[name=evidence]").setInputFiles(png);
  await form.getByRole("button", { name: "Mark done" }).click();
  await form.waitFor({ state: "detached" });
  await page.screenshot({ path: join(shots, "console-10-staff-done.png"), fullPage: true });

  // The manager sees the note and the photo on the audit, and verifies it.
  const manager = await browser.newPage({ locale: "en" });
  await manager.goto(`${base}/records/${encodeURIComponent(doc)}`);
  await manager.getByLabel("User name").fill("manager");
  await manager.getByLabel("Password").fill("fieldcheck");
  await manager.getByRole("button", { name: "Sign in" }).click();
  const action = manager.locator(`li[data-action="${actionId}"]`);
  await action.getByText("What was done: New light box fitted").waitFor();
  await action.locator("img").waitFor();
  await manager.screenshot({ path: join(shots, "console-11-manager-verifies.png"), fullPage: true });
  // The manager was told: a notification of the fix, unread, in the header.
  await manager.getByRole("link", { name: /Notifications \([1-9]\d* unread\)/ }).click();
  await manager.locator('li.unread[data-kind="action_done"]', { hasText: "to verify" }).first().waitFor();
  await manager.screenshot({ path: join(shots, "console-13-notifications.png"), fullPage: true });
  await manager.goBack();
  await action.getByRole("button", { name: "Verify" }).click();
  await manager.getByRole("status").getByText("The fix is verified").waitFor();
  await manager.close();

  // At phone width: one header row, no sideways scrolling of the page.
  const header = await page.locator("header.top").boundingBox();
  assert.ok(header.height <= 64, `header ${header.height}px tall`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 1, `the page scrolls sideways by ${wide}px`);
  await page.screenshot({ path: join(shots, "console-9-staff-phone.png"), fullPage: true });
});

test("a manager imports a month of call statistics and reads the hotline KPIs beside the test calls", async () => {
  const page = await managerOf(
    "hotline",
    "id,parent,level,name_zh,name_en,channel\ncq,,province,重庆,Chongqing,\ncq/yz,cq,district,渝中区,Yuzhong,\n" +
      "cq/yz/001,cq/yz,store,解放碑营业厅,Jiefangbei,owned_hall\ncq/yz/900,cq/yz,store,渝中客服热线,Yuzhong hotline,hotline\n",
  );
  await page.getByRole("link", { name: "热线", exact: true }).click();
  await page.waitForURL(/\/hotline/);
  await page.getByText("该时段没有话务统计。").waitFor();

  // A file with a store that is no hotline: refused, the row and the reason in Chinese.
  const form = page.getByRole("form", { name: "导入话务统计" });
  const header = "热线,开始时间,人工请求量,人工接通量,及时应答量,放弃量,及时内放弃量\n";
  await form.getByLabel("统计文件").setInputFiles({
    name: "bad.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`${header}cq/yz/900,2026-11-02 09:00,100,90,80,10,5\ncq/yz/001,2026-11-02 09:00,100,90,80,10,5\n`),
  });
  await form.getByRole("button", { name: "检查" }).click();
  await form.getByRole("alert").getByText("第 3 行").waitFor();
  await form.getByRole("alert").getByText("`cq/yz/001` 不是热线（渠道为热线的网点）").waitFor();

  // The month's export: checked, imported, and the KPIs are there.
  const rows = [
    "cq/yz/900,2026-11-02 09:00,100,90,80,10,5",
    "cq/yz/900,2026-11-02 10:00,120,100,85,20,10",
    "cq/yz/900,2026-11-03 09:00,60,58,56,2,1",
    "cq/yz/900,2026-11-03 10:00,40,40,40,0,0",
  ];
  await form.getByLabel("统计文件").setInputFiles({ name: "calls.csv", mimeType: "text/csv", buffer: Buffer.from(header + rows.join("\n")) });
  await form.getByRole("button", { name: "检查" }).click();
  await form.getByRole("status").getByText("检查通过：1 条热线的 4 个时段，2026-11-02 09:00 至 2026-11-03 10:00").waitFor();
  await form.getByRole("button", { name: "导入" }).click();
  await form.getByRole("status").getByText("已导入 1 条热线的 4 个时段，2026-11-02 09:00 至 2026-11-03 10:00").waitFor();
  await page.getByRole("combobox", { name: "期间" }).selectOption("2026-11");
  const row = page.getByRole("row", { name: /渝中客服热线/ });
  // 261 of 304 calls in time: 85.9%, at the 85% target.
  await row.getByText("85.9%").waitFor();
  await row.getByText("无拨测").waitFor();
  // Another formula gives another figure, and the address keeps it.
  await page.getByRole("combobox", { name: "服务水平算法" }).selectOption("all_offered");
  await row.getByText("81.6%").waitFor();
  assert.match(page.url(), /formula=all_offered/);
  await page.screenshot({ path: join(shots, "hotline.png"), fullPage: true });

  // The daily monitor of 2 November names the hotline below its target
  // (165 of 205 in time: 80.5%).
  await page.getByRole("link", { name: "监测" }).click();
  await page.getByLabel("日期").fill("2026-11-02");
  const below = page.locator(".card", { has: page.getByRole("heading", { name: "服务水平未达标的热线" }) });
  await below.getByText("渝中客服热线: 80.5%（目标 85%，205 次呼叫）").waitFor();
  await page.getByRole("table").getByRole("columnheader", { name: "周末逾期" }).waitFor();
});

test("a manager enters figures and cases and reads the branch scorecards, open indicators said as such", async () => {
  const page = await managerOf(
    "scorecards",
    "id,parent,level,name_zh,name_en,channel\ncq,,province,重庆,Chongqing,\ncq/yz,cq,city,渝中,Yuzhong,\ncq/jb,cq,city,江北,Jiangbei,\n" +
      "cq/yz/001,cq/yz,store,解放碑营业厅,Jiefangbei,owned_hall\n",
  );
  await page.getByRole("link", { name: "服务评价" }).click();
  await page.waitForURL(/\/scorecards/);
  await page.getByRole("combobox", { name: "期间" }).selectOption("2026");

  const entries = page.getByRole("form", { name: "导入外部指标" });
  await entries.getByLabel("文件（CSV 或 XLSX）").setInputFiles({
    name: "entries.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("unit,period,indicator,value\ncq/yz,2026,integration,90\ncq/yz,2026,loyalty,80\n"),
  });
  await entries.getByRole("button", { name: "检查" }).click();
  await entries.getByRole("alert").getByText("第 3 行").waitFor();
  await entries.getByLabel("文件（CSV 或 XLSX）").setInputFiles({
    name: "entries.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("unit,period,indicator,value\ncq/yz,2026,integration,90\ncq/yz,2026,retention,80\n"),
  });
  await entries.getByRole("button", { name: "导入" }).click();
  await entries.getByRole("status").getByText("已导入 2 行").waitFor();
  const cases = page.getByRole("form", { name: "导入服务案件" });
  await cases.getByLabel("文件（CSV 或 XLSX）").setInputFiles({
    name: "cases.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("case_id,unit,kind,date,points\nk1,cq/yz/001,media_exposure,2026-03-01,5\n"),
  });
  await cases.getByRole("button", { name: "导入" }).click();
  await cases.getByRole("status").getByText("已导入 1 行").waitFor();

  // Integration 90 of 100 earns 18 of 20, retention 16; five points off;
  // no audit or survey yet: open, and the city unranked.
  const row = page.getByRole("row", { name: /渝中/ });
  await row.getByText("18.0").waitFor();
  await row.getByText("−5.0").waitFor();
  await row.getByText("待定").first().waitFor();
  await row.getByText("（最高可达 89.0）").waitFor();
  await page.getByText(/2 个单位有待定指标/).waitFor();
  await page.screenshot({ path: join(shots, "scorecards.png"), fullPage: true });

  // The month's bulletin of the whole scope, printable, and as a workbook.
  await page.getByRole("link", { name: "月度通报" }).click();
  await page.getByRole("combobox", { name: "月份" }).selectOption("2026-03");
  const bulletin = page.frameLocator("iframe.bulletin");
  await bulletin.getByRole("heading", { name: "服务评价排名 · 服务工作评价" }).waitFor();
  await bulletin.getByRole("heading", { name: "整改跟踪" }).waitFor();
  // The case of March is taken off Yuzhong's score.
  await bulletin.getByRole("row", { name: /渝中/ }).first().getByText("−5.0").waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 XLSX" }).click()]);
  assert.match(download.suggestedFilename(), /^bulletin-.*-2026-03\.xlsx$/);
  // The PDF the server sets, in Chinese.
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 PDF" }).click()]);
  assert.match(pdf.suggestedFilename(), /^bulletin-.*-2026-03\.pdf$/);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), "%PDF-", "a PDF file");
  await page.screenshot({ path: join(shots, "bulletin.png"), fullPage: true });
});
