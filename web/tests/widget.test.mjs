// The widget in real headless Chromium against a scripted bot (tests/fake_bot.mjs) that speaks
// Rasa's socket.io protocol and the upload contract: rendering, persistence, video checks and
// errors, accessibility. Runs in seconds, without Rasa. Screenshots go to tests/artifacts/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeBot } from "./fake_bot.mjs";
import { ARTIFACTS, TESTDATA, launchBrowser, newPage, outsideRequests, shot, startWeb } from "./helpers.mjs";

let bot, web, browser;
before(async () => {
  bot = await startFakeBot();
  web = await startWeb(bot.url);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.stop();
  await bot?.stop();
});

const widget = (page) => page.locator("#knee-widget");
const log = (page) => widget(page).locator(".kw-log");
async function openChat(page) {
  await page.goto(web.url);
  await widget(page).getByRole("button", { name: /Open chat/ }).click();
  await widget(page).getByRole("dialog").waitFor();
}
async function send(page, text) {
  await widget(page).getByLabel("Your message").fill(text);
  await widget(page).getByLabel("Your message").press("Enter");
}

describe("widget against a scripted bot", () => {
  test("opens, greets, quick replies send payloads and show titles; messages never inject HTML", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    const dialog = widget(page).getByRole("dialog");
    assert.equal(await dialog.getAttribute("aria-modal"), "true");
    // focus moves into the panel, on the message field
    assert.equal(await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.className), "kw-input");
    await widget(page).getByRole("button", { name: "Start the knee check-in" }).click();
    await widget(page).getByRole("button", { name: "Yes, let's start" }).click();
    await log(page).getByText("Which knee hurts?").waitFor();
    // the user's bubble shows the title, not the payload
    await log(page).locator(".kw-user").getByText("Yes, let's start").waitFor();
    assert.equal(await log(page).getByText("/affirm").count(), 0);
    await widget(page).getByRole("button", { name: "Left", exact: true }).click();
    const link = log(page).getByRole("link", { name: "https://example.org/knee" });
    await link.waitFor();
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.equal(await log(page).locator("b, img").count(), 0, "HTML in a message is shown as text");
    await log(page).getByText("<b>not bold</b>", { exact: false }).waitFor();
    // earlier quick replies are gone once answered
    assert.equal(await widget(page).getByRole("button", { name: "Yes, let's start" }).isVisible(), false);
    await shot(page, "fake-desktop-conversation");
    assert.deepEqual(page.errors, []);
    assert.deepEqual(outsideRequests(page, [web.url, bot.url]), []);
    await context.close();
  });

  test("summary card, printable download, exercise card", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await send(page, "summary please");
    const card = log(page).locator("article.kw-summary");
    await card.waitFor();
    assert.match(await card.innerText(), /See a clinician/);
    assert.match(await card.innerText(), /Your knee swells after running/);
    await card.getByText(/Your answers/).click();
    assert.match(await card.innerText(), /Right knee/);
    assert.match(await card.innerText(), /Inner side, near the surface/);
    assert.match(await card.innerText(), /After runs, On stairs/);
    // the video block in words: every measure with its usual range, never raw JSON or ids
    assert.match(await card.innerText(), /Filmed\s+Running, side view/);
    assert.match(await card.innerText(), /Step rate \(cadence\)\s+158 steps\/min \(usual: 165 steps\/min or more\)/);
    assert.match(await card.innerText(), /left 12°, right 17°.*rough estimate/);
    assert.doesNotMatch(await card.innerText(), /[{}]|cadence_spm|job_id|Emergency check/);
    const exercise = log(page).locator("article.kw-exercise");
    await exercise.waitFor();
    assert.match(await exercise.innerText(), /3 sets of 15/);
    await exercise.getByRole("link", { name: "https://example.org/clamshell" }).waitFor();
    // the download is the server's PDF, fetched with the summary's own link
    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "Download my summary" }).click()]);
    assert.match(download.suggestedFilename(), /^knee-summary-\d{4}-\d\d-\d\d\.pdf$/);
    const pdf = join(ARTIFACTS, "summary-fake.pdf");
    await download.saveAs(pdf);
    assert.match(readFileSync(pdf, "latin1"), /^%PDF-/);
    assert.deepEqual(bot.pdfRequests.slice(-1), ["tok-pdf"]);
    assert.equal(await card.locator(".kw-download-note").count(), 0);
    // the link's token is kept for this tab, never in the saved history
    const saved = await page.evaluate(() => JSON.stringify(window.localStorage));
    assert.doesNotMatch(saved, /tok-pdf/);
    // print still opens the printable page
    const [printable] = await Promise.all([context.waitForEvent("page"), card.getByRole("button", { name: "Print" }).click()]);
    await printable.waitForLoadState();
    assert.match(await printable.content(), /Knee pain summary for my clinician/);
    await printable.close();
    await shot(page, "fake-summary-card");
    await context.close();
  });

  test("summary download: when the PDF cannot be fetched, the web page instead, with a note", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await send(page, "summary with a stale link");
    const card = log(page).locator("article.kw-summary");
    await card.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "Download my summary" }).click()]);
    assert.deepEqual(bot.pdfRequests.slice(-1), ["tok-stale"]);
    assert.match(download.suggestedFilename(), /^knee-summary-\d{4}-\d\d-\d\d\.html$/);
    await card.locator(".kw-download-note").getByText("saved as a web page instead").waitFor();
    const file = join(ARTIFACTS, "summary-fake.html");
    await download.saveAs(file);
    const html = readFileSync(file, "utf8");
    assert.match(html, /Knee pain summary for my clinician/);
    assert.match(html, /See a clinician/);
    assert.match(html, /Side lying hip abduction/);
    assert.match(html, /32\.2 km a week/);
    const visible = html.split('<script type="application/json"')[0];
    assert.match(visible, /Knee bend at landing/);
    assert.match(visible, /Warning signs<\/th><td>No warning signs/);
    assert.doesNotMatch(visible, /cadence_spm|\{"/);
    // the printable page renders
    const printable = await context.newPage();
    await printable.setContent(html);
    await printable.screenshot({ path: join(ARTIFACTS, "summary-printable.png"), fullPage: true });
    await shot(page, "fake-summary-fallback");
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("reload and a dropped connection keep the conversation and still receive pushes", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await send(page, "first message");
    await log(page).getByText("Echo: first message").waitFor();
    const id = await page.evaluate(() => window.KneeWidget.sessionId());
    await page.reload();
    await log(page).getByText("Echo: first message").waitFor();  // panel re-opens with the history
    assert.equal(await page.evaluate(() => window.KneeWidget.sessionId()), id);
    await send(page, "push later");
    await page.evaluate(() => window.KneeWidget._dropConnection());
    await log(page).getByText("A message pushed 3 seconds later.").waitFor({ timeout: 15000 });
    await send(page, "after the drop");
    await log(page).getByText("Echo: after the drop").waitFor();
    // the message sent just before the drop may be sent again: it still ran, and pushed, once
    await page.waitForTimeout(3500);
    assert.equal(await log(page).getByText("A message pushed 3 seconds later.").count(), 1);
    assert.equal(bot.ran.filter((m) => m === "push later").length, 1);
    assert.equal(await page.evaluate(() => window.KneeWidget._pending()), 0);
    // another page of the site, same conversation
    await page.goto(web.url + "sessions.html");
    await log(page).getByText("Echo: after the drop").waitFor();
    await context.close();
  });

  test("a message in flight when its server dies is sent again after reconnecting and answered once", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await send(page, "first message");
    await log(page).getByText("Echo: first message").waitFor();
    bot.control.dieOnNext = true;  // the server handling it is killed: nothing of it was saved
    await send(page, "lost in flight");
    await send(page, "typed while reconnecting");
    await log(page).getByText("Echo: lost in flight").waitFor({ timeout: 15000 });
    await log(page).getByText("Echo: typed while reconnecting").waitFor();
    // in the order they were typed, each once
    const texts = await log(page).locator(".kw-bot .kw-bubble").allInnerTexts();
    assert.deepEqual(texts.filter((t) => /lost in flight|typed while/.test(t)),
      ["Echo: lost in flight", "Echo: typed while reconnecting"]);
    assert.deepEqual(bot.ran.filter((m) => /lost in flight|typed while/.test(m)), ["lost in flight", "typed while reconnecting"]);
    assert.equal(await page.evaluate(() => window.KneeWidget._pending()), 0);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("a message whose acknowledgement was lost is neither run nor shown twice; pending messages survive a reload", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    bot.control.dropBeforeAck = true;  // the turn ran and answered; the connection dies before the ack
    await send(page, "ack lost");
    await log(page).getByText("Echo: ack lost").waitFor();
    await page.waitForFunction(() => window.KneeWidget._pending() === 0, null, { timeout: 15000 });
    await page.waitForTimeout(500);
    assert.equal(await log(page).getByText("Echo: ack lost").count(), 1, "the replayed reply is dropped");
    assert.equal(bot.ran.filter((m) => m === "ack lost").length, 1);
    // a message not answered yet when the page is reloaded: sent again from the saved state
    bot.control.ignoreNext = true;
    await send(page, "lost, then reload");
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.KneeWidget._pending()), 1);
    await page.reload();
    await log(page).getByText("Echo: lost, then reload").waitFor({ timeout: 15000 });
    assert.equal(await log(page).getByText("Echo: lost, then reload").count(), 1);
    assert.equal(bot.ran.filter((m) => m === "lost, then reload").length, 1);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("a message whose turn failed on the server is not lost: a note offers to send it again, once", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    bot.control.failNext = true;
    await send(page, "failed turn");
    const note = log(page).locator(".kw-unsent");
    await note.waitFor();
    assert.match(await note.innerText(), /didn't reach the assistant/);
    assert.equal(await page.evaluate(() => window.KneeWidget._pending()), 0, "the next message is not held up");
    assert.equal(bot.ran.filter((m) => m === "failed turn").length, 0);
    await shot(page, "widget-unsent-message");
    // the note survives a reload, and its button sends the same message
    await page.reload();
    await log(page).locator(".kw-unsent").getByRole("button", { name: "Send again" }).click();
    await log(page).getByText("Echo: failed turn").waitFor({ timeout: 15000 });
    assert.equal(await log(page).locator(".kw-unsent").count(), 0);
    assert.equal(bot.ran.filter((m) => m === "failed turn").length, 1);
    await page.reload();
    await log(page).getByText("Echo: failed turn").waitFor();
    assert.equal(await log(page).locator(".kw-unsent").count(), 0, "a message sent again offers nothing more");
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  /** One conversation open in two tabs of one browser, both showing its first reply. */
  async function twoTabs() {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await send(page, "before the second tab");
    await log(page).getByText("Echo: before the second tab").waitFor();
    const second = await context.newPage();
    second.errors = [];
    second.on("pageerror", (e) => second.errors.push(String(e)));
    await second.goto(page.url());
    await log(second).getByText("Echo: before the second tab").waitFor();
    return { context, page, second };
  }

  test("two tabs of one conversation: a message pending in one survives the other's saves and is sent after it closes", async () => {
    const { context, page, second } = await twoTabs();
    bot.control.ignoreNext = true;  // the first tab's message stays unanswered
    await send(page, "pending in the first tab");
    await page.waitForTimeout(300);
    await send(second, "from the second tab");
    await log(second).getByText("Echo: from the second tab").waitFor();
    await second.waitForFunction(() => window.KneeWidget._pending() === 0);
    await page.close();
    await second.reload();
    await log(second).getByText("Echo: pending in the first tab").waitFor({ timeout: 15000 });
    assert.equal(bot.ran.filter((m) => m === "pending in the first tab").length, 1);
    assert.deepEqual(second.errors, []);
    await context.close();
  });

  test("two tabs of one conversation: a reply or push the other tab saved first is not shown twice", async () => {
    const { context, page, second } = await twoTabs();
    const deliver = (tab, message) => tab.evaluate((m) => window.KneeWidget._receive(m), message);
    const shown = (tab, text) => log(tab).getByText(text, { exact: true }).count();
    // the first tab gets each message first and saves; the second adopts that history, then
    // its own copy of the message arrives
    for (const message of [{ text: "A reply of a turn.", reply_to: "turn-1", reply_index: 0 }, { text: "A pushed finding." }]) {
      await deliver(page, message);
      await log(second).getByText(message.text).waitFor();
      await deliver(second, message);
      assert.equal(await shown(second, message.text), 1, message.text);
    }
    // a later push with the same words is a new message, and shown
    await deliver(second, { text: "A pushed finding." });
    assert.equal(await shown(second, "A pushed finding."), 2);
    assert.deepEqual(second.errors, []);
    await context.close();
  });

  test("video: a non-video file gets a friendly error and can be replaced", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    const notes = join(ARTIFACTS, "notes.txt");
    writeFileSync(notes, "not a video");
    await widget(page).locator('input[type="file"]').setInputFiles(notes);
    const error = log(page).locator(".kw-upload.kw-error");
    await error.waitFor();
    assert.match(await error.innerText(), /MP4, MOV or WebM/);
    await error.getByRole("button", { name: "Choose another video" }).waitFor();
    await shot(page, "fake-wrong-file");
    // a file named .mp4 that is not one: the browser can't read it, the server says so
    const fake = join(ARTIFACTS, "fake.mp4");
    writeFileSync(fake, "this is text, not a video");
    await widget(page).locator('input[type="file"]').setInputFiles(fake);
    await log(page).getByText("That file isn't a video I can read", { exact: false }).waitFor({ timeout: 15000 });
    await context.close();
  });

  test("video: token is requested, upload progress, analysis progress, findings picture enlarges", async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await widget(page).locator('input[type="file"]').setInputFiles(join(TESTDATA, "treadmill_side_male.mp4"));
    // no token yet: the widget asks the bot for one, then uploads
    await log(page).locator(".kw-user").getByText("I'd like to send a video").waitFor();
    await log(page).getByText(/Video: treadmill_side_male\.mp4 \(12 s\)/).waitFor({ timeout: 20000 });
    const analysis = log(page).locator(".kw-analysis");
    await analysis.waitFor();
    await shot(page, "fake-analysis-running");
    await log(page).locator("img").first().waitFor({ timeout: 15000 });
    await page.waitForFunction(() => document.querySelector("#knee-widget").shadowRoot.querySelector(".kw-analysis")?.dataset.status === "done");
    const thumb = log(page).getByRole("button", { name: /Enlarge picture/ });
    await thumb.click();
    const lightbox = widget(page).locator(".kw-lightbox");
    await lightbox.waitFor();
    await shot(page, "fake-lightbox");
    await page.keyboard.press("Escape");
    await lightbox.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.className), "kw-thumb");
    const src = await log(page).locator("img").first().getAttribute("src");
    assert.ok(src.startsWith(bot.url + "/webhooks/video/media/"), `image resolved against the bot URL: ${src}`);
    await shot(page, "fake-findings");
    await context.close();
  });

  test("video: too long a clip is refused before sending, with the browser's own duration", async () => {
    const { context, page } = await newPage(browser);
    await page.addInitScript(() => { window.KneeWidgetConfig = { maxVideoSeconds: 10 }; });
    await openChat(page);
    await widget(page).locator('input[type="file"]').setInputFiles(join(TESTDATA, "squat_side_gym.mp4"));
    const error = log(page).locator(".kw-upload.kw-error");
    await error.waitFor();
    assert.match(await error.innerText(), /That clip is 20 s long\. Please trim it to 10 seconds/);
    await context.close();
  });

  test("phone portrait layout and keyboard only: open, answer, Esc closes and focus returns", async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844, isMobile: true });
    await page.goto(web.url);
    await shot(page, "fake-phone-closed");
    // Tab to the launcher (the page's own links come first)
    let onLauncher = false;
    for (let i = 0; i < 20 && !onLauncher; i++) {
      await page.keyboard.press("Tab");
      onLauncher = await page.evaluate(() => document.activeElement?.id === "knee-widget" && document.querySelector("#knee-widget").shadowRoot.activeElement?.classList.contains("kw-launcher"));
    }
    assert.ok(onLauncher, "the launcher is reachable by Tab");
    await page.keyboard.press("Enter");
    await widget(page).getByRole("dialog").waitFor();
    const box = await widget(page).locator(".kw-panel").boundingBox();
    assert.deepEqual([box.width, box.height], [390, 844], "full screen on a phone");
    await page.keyboard.type("hi");
    await page.keyboard.press("Enter");
    const yes = widget(page).getByRole("button", { name: "Yes, let's start" });
    await yes.waitFor();
    // Tab cycles inside the panel (focus trap) and reaches the quick reply
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.textContent === "Yes, let's start");
      const inside = await page.evaluate(() => { const r = document.querySelector("#knee-widget").shadowRoot; return r.querySelector(".kw-panel").contains(r.activeElement); });
      assert.ok(inside, "focus stays in the panel");
    }
    assert.ok(found, "quick reply reachable by keyboard");
    await page.keyboard.press("Enter");
    await log(page).getByText("Which knee hurts?").waitFor();
    await shot(page, "fake-phone-open");
    await page.keyboard.press("Escape");
    await widget(page).getByRole("dialog").waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.className), "kw-launcher");
    await context.close();
  });

  test("contrast: a pale clinic colour is darkened to 4.5:1, and the widget's texts pass", async () => {
    const { context, page } = await newPage(browser);
    await page.addInitScript(() => { window.KneeWidgetConfig = { primaryColor: "#ffd400" }; });
    await openChat(page);
    const ratios = await page.evaluate(() => {
      const { contrastRatio, parseColor } = window.KneeWidget._internals;
      const root = document.querySelector("#knee-widget").shadowRoot;
      const rgb = (c) => c.match(/\d+/g).slice(0, 3).map(Number);
      const bgOf = (el) => {
        for (let e = el; e; e = e.parentElement || e.getRootNode().host) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg && !/rgba\(0, 0, 0, 0\)|transparent/.test(bg)) return rgb(bg);
        }
        return [255, 255, 255];
      };
      return [...root.querySelectorAll(".kw-title, .kw-subtitle, .kw-bubble, .kw-btn, .kw-footer, .kw-input")].map((el) =>
        ({ cls: el.className, ratio: contrastRatio(rgb(getComputedStyle(el).color), bgOf(el)) }));
    });
    for (const r of ratios) assert.ok(r.ratio >= 4.5, `${r.cls}: ${r.ratio.toFixed(2)}`);
    await shot(page, "fake-pale-colour");
    await context.close();
  });
});
