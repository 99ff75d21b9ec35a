// The widget against the real assistant: action server + Rasa with the trained model (and the
// analysis worker), started by tests/start_stack.py, in real headless Chromium. A runner goes
// through a whole triage by clicking buttons and typing; a reload and a dropped connection keep
// the conversation; a clip from shared/testdata is uploaded and its findings picture shown; a
// non-video file gets the friendly error; and the keyboard-only path works.
// Screenshots: tests/artifacts/real-*.png.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { ARTIFACTS, PYTHON, TESTDATA, launchBrowser, newPage, outsideRequests, shot, startRasaStack, startWeb } from "./helpers.mjs";

/** The text of a PDF, read with pypdf (the actions environment's test tool), whitespace made single. */
function pdfText(file) {
  const read = "import sys; from pypdf import PdfReader; print(' '.join(' '.join((p.extract_text() or '') for p in PdfReader(sys.argv[1]).pages).split()))";
  return execFileSync(PYTHON, ["-c", read, file], { encoding: "utf8" });
}

const SKIP = process.env.WEB_E2E_SKIP_RASA === "1" ? "WEB_E2E_SKIP_RASA=1" : false;
let stack, web, browser;
before(async () => {
  if (SKIP) return;
  stack = await startRasaStack();
  web = await startWeb(stack.rasa_url, stack.web_port);
  browser = await launchBrowser();
}, { timeout: 480000 });
after(async () => {
  await browser?.close();
  await web?.stop();
  await stack?.stop();
});

// What a runner answers to each question (as in tests/e2e/test_rest_conversations.py).
const ANSWERS = {
  consent: "yes", side: "right", location: "on the inner side near the surface", onset: "gradually",
  age_band: "I'm 38", emergency_check: "none of those", urgent_check: "no none", swelling: "no swelling",
  distance_before_km: "20 miles", distance_now_km: "30 miles", weeks_since_change: "over 3 weeks",
  pain_duration_weeks: "about 10 days", pain_triggers: "after long runs", pain_score: "3",
  settles_by_next_day: "yes", limp: "no", tried: "nothing yet", injury: "no injury", load_reduced: "no",
};
const widget = (page) => page.locator("#knee-widget");
const log = (page) => widget(page).locator(".kw-log");
const input = (page) => widget(page).getByLabel("Your message");

/** Waits until the bot has answered (something new after the runner's last message) and paused. */
async function waitForReplies(page, quietMs = 1500, timeout = 60000) {
  await page.waitForFunction(() => {
    const root = document.querySelector("#knee-widget").shadowRoot;
    const items = [...root.querySelector(".kw-log").children];
    const lastUser = items.map((e) => e.classList.contains("kw-user")).lastIndexOf(true);
    return items.slice(lastUser + 1).some((e) => !e.classList.contains("kw-note"));
  }, null, { timeout });
  let before = -1;
  for (;;) {
    const count = await log(page).locator(":scope > *").count();
    if (count === before) return;
    before = count;
    await page.waitForTimeout(quietMs);
  }
}
/** The text of the bot's messages since the runner's last message. */
async function latestBotText(page) {
  return page.evaluate(() => {
    const root = document.querySelector("#knee-widget").shadowRoot;
    const items = [...root.querySelector(".kw-log").children];
    const lastUser = items.map((e) => e.classList.contains("kw-user")).lastIndexOf(true);
    return items.slice(lastUser + 1).filter((e) => e.classList.contains("kw-bot"))
      .map((e) => e.querySelector(".kw-bubble")?.textContent || "").join(" ").replace(/\s+/g, " ");
  });
}
function askedSlot(text) {
  let best = null, at = -1;
  for (const [slot, start] of stack.questions) {
    const i = text.lastIndexOf(start);
    if (i > at) { best = slot; at = i; }
  }
  return best;
}
async function say(page, text) {
  await input(page).fill(text);
  await input(page).press("Enter");
  await waitForReplies(page);
}
async function openChat(page) {
  await page.goto(web.url);
  await widget(page).getByRole("button", { name: /Open chat/ }).click();
  await widget(page).getByRole("dialog").waitFor();
}
/** Answers every question by typing until the clinic summary card is shown. */
async function answerAll(page, screenshotPrefix) {
  for (let turn = 0; turn < 30; turn++) {
    if (await log(page).locator("article.kw-summary").count()) return;
    const slot = askedSlot(await latestBotText(page));
    assert.ok(slot, `the bot neither asked a question nor concluded: ${await latestBotText(page)}`);
    assert.ok(ANSWERS[slot], `unexpected question ${slot}`);
    await say(page, ANSWERS[slot]);
    if (turn === 3 && screenshotPrefix) await shot(page, `${screenshotPrefix}-questions`);
  }
  assert.fail("the conversation did not end with a summary");
}

/** An upload token as rasa_project/connectors/upload_token.py makes it (HMAC-SHA256, base64url). */
function uploadToken(conversation, secret, ttl = 1800) {
  const payload = Buffer.from(JSON.stringify({ c: conversation, exp: Math.floor(Date.now() / 1000) + ttl, n: randomBytes(8).toString("hex") })).toString("base64url");
  return `${payload}.${createHmac("sha256", Buffer.from(secret, "utf8")).update(payload).digest("base64url")}`;
}

describe("widget against the real assistant", { skip: SKIP }, () => {
  test("a whole triage by clicking and typing; the summary card, its download, an exercise card", { timeout: 300000 }, async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await widget(page).getByRole("button", { name: "Start the knee check-in" }).click();
    await waitForReplies(page);
    await widget(page).getByRole("button", { name: "Yes, let's start" }).click();   // consent, by button
    await waitForReplies(page);
    await answerAll(page, "real-desktop");
    const card = log(page).locator("article.kw-summary");
    assert.match(await card.innerText(), /Self-care/);
    await card.getByText(/Your answers/).click();
    assert.match(await card.innerText(), /Right knee/);
    assert.match(await card.innerText(), /32\.2 km a week/);
    await card.scrollIntoViewIfNeeded();
    await shot(page, "real-desktop-summary");
    // the download is the clinician PDF the assistant makes of this assessment
    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "Download my summary" }).click()]);
    assert.match(download.suggestedFilename(), /^knee-summary-\d{4}-\d\d-\d\d\.pdf$/);
    const file = join(ARTIFACTS, "real-summary.pdf");
    await download.saveAs(file);
    assert.equal(await card.locator(".kw-download-note").count(), 0, "no fallback to the web page");
    const text = pdfText(file);
    assert.match(text, /Advice given: Self-care/);
    assert.match(text, /Which knee Right knee/);
    assert.match(text, /Exercise plan suggested/);
    assert.doesNotMatch(text, /[{}]|self_care/);
    // an exercise's detail button gives an exercise card
    const detail = log(page).locator(".kw-replies:visible button").filter({ hasText: /./ }).first();
    if (await detail.count()) {
      await detail.click();
      await log(page).locator("article.kw-exercise").waitFor({ timeout: 30000 });
      await shot(page, "real-desktop-exercise");
    }
    // the session: same id after a reload, history replayed, the bot still answers
    const id = await page.evaluate(() => window.KneeWidget.sessionId());
    const bubbles = await log(page).locator(".kw-msg").count();
    await page.reload();
    await log(page).locator("article.kw-summary").waitFor();
    assert.equal(await page.evaluate(() => window.KneeWidget.sessionId()), id);
    assert.equal(await log(page).locator(".kw-msg").count(), bubbles);
    await say(page, "how should I film?");
    assert.match(await latestBotText(page), /film/i);
    // a network drop: the socket reconnects to the same session and pushes still arrive
    await page.evaluate(() => window.KneeWidget._dropConnection());
    await say(page, "thanks");
    assert.ok((await latestBotText(page)).length > 0);
    await shot(page, "real-desktop-after-reload");
    assert.deepEqual(page.errors, []);
    assert.deepEqual(outsideRequests(page, [web.url, stack.rasa_url, "ws://127.0.0.1"]), []);
    await context.close();
  });

  test("a non-video file gets the friendly error, with a way to pick another", async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844, isMobile: true });
    await openChat(page);
    const notes = join(ARTIFACTS, "training-notes.pdf");
    writeFileSync(notes, "%PDF-1.4 not a video");
    await widget(page).locator('input[type="file"]').setInputFiles(notes);
    const error = log(page).locator(".kw-upload.kw-error");
    await error.waitFor();
    assert.match(await error.innerText(), /MP4, MOV or WebM/);
    await error.getByRole("button", { name: "Choose another video" }).waitFor();
    await shot(page, "real-phone-wrong-file");
    await context.close();
  });

  test("the real upload endpoint: cross-origin upload with progress; a fake .mp4 gets the server's message", { timeout: 180000 }, async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await widget(page).getByRole("button", { name: "Start the knee check-in" }).click();
    await waitForReplies(page);
    const id = await page.evaluate(() => window.KneeWidget.sessionId());
    const offer = (token) => page.evaluate((upload) => window.KneeWidget._receive({ upload }), {
      url: "/webhooks/video/upload", token, expires_at: Math.floor(Date.now() / 1000) + 1800,
      max_bytes: 209715200, accept: ["video/mp4", "video/quicktime", "video/webm"],
    });
    await offer(uploadToken(id, stack.upload_secret));
    // a text file named .mp4: the browser can't read its duration, the server refuses it kindly
    const fake = join(ARTIFACTS, "not-really.mp4");
    writeFileSync(fake, "just some text pretending to be a video ".repeat(50));
    await widget(page).locator('input[type="file"]').setInputFiles(fake);
    const error = log(page).locator(".kw-upload.kw-error");
    await error.waitFor({ timeout: 30000 });
    const message = await error.locator("p").first().innerText();
    assert.doesNotMatch(message, /error 4\d\d/, "the server's own friendly message is shown");
    await shot(page, "real-server-refused-file");
    // an expired/invalid token: the widget asks the bot for a new one (the message is sent)
    await offer("not-a-valid-token");
    await widget(page).locator('input[type="file"]').setInputFiles(join(TESTDATA, "treadmill_side_male.mp4"));
    await log(page).locator(".kw-user").getByText("I'd like to send a video").waitFor({ timeout: 30000 });
    // a valid token: the real clip goes through (CORS preflight, X-Upload-Token, multipart field "video")
    await offer(uploadToken(id, stack.upload_secret));
    await log(page).getByText(/Video: treadmill_side_male\.mp4 \(12 s\)/).waitFor({ timeout: 60000 });
    await shot(page, "real-uploaded");
    await context.close();
  });

  test("upload a real clip: upload progress, analysis progress, the findings picture", { timeout: 420000 }, async (t) => {
    if (!stack.video_flow) { t.skip("the bot has no video flow yet (no share_video in the domain)"); return; }
    const { context, page } = await newPage(browser, { width: 390, height: 844, isMobile: true });
    await openChat(page);
    await widget(page).getByRole("button", { name: "Start the knee check-in" }).click();
    await waitForReplies(page);
    await widget(page).getByRole("button", { name: "Yes, let's start" }).click();   // no analysis without consent
    await log(page).getByText(/Which knee is it/).waitFor({ timeout: 60000 });
    await widget(page).locator('input[type="file"]').setInputFiles(join(TESTDATA, "treadmill_side_male.mp4"));
    await log(page).locator(".kw-user").getByText("I'd like to send a video").waitFor();
    await log(page).getByText(/Video: treadmill_side_male\.mp4/).waitFor({ timeout: 60000 });
    await shot(page, "real-phone-uploaded");
    await log(page).locator(".kw-analysis, .kw-bot").last().waitFor();
    await log(page).locator(".kw-thumb img").first().waitFor({ timeout: 360000 });
    await page.waitForFunction(() => {
      const img = document.querySelector("#knee-widget").shadowRoot.querySelector(".kw-thumb img");
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 30000 });
    const src = await log(page).locator(".kw-thumb img").first().getAttribute("src");
    assert.ok(src.startsWith(stack.rasa_url + "/webhooks/video/media/"), src);
    await shot(page, "real-phone-findings");
    await log(page).locator(".kw-thumb").first().click();
    await widget(page).locator(".kw-lightbox img").waitFor();
    await shot(page, "real-phone-findings-enlarged");
    await page.keyboard.press("Escape");
    // every measure, with its unit and usual range, then "what was my cadence?" answered from it
    const measured = log(page).getByText(/Everything I measured, from \d+ steps/);
    await measured.waitFor();
    assert.match(await measured.innerText(), /Step rate \(cadence\): 1[67]\d steps\/min \(usual: 165 steps\/min or more\)/);
    await measured.scrollIntoViewIfNeeded();
    await shot(page, "real-phone-every-measure");
    await input(page).fill("what was my cadence?");
    await input(page).press("Enter");
    await log(page).getByText(/your step rate \(cadence\) was 1[67]\d steps\/min/).waitFor({ timeout: 60000 });
    await shot(page, "real-phone-cadence-answer");
    await context.close();
  });

  test("keyboard only: Tab to the launcher, answer with keys, Esc closes and focus returns", { timeout: 120000 }, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(web.url);
    let onLauncher = false;
    for (let i = 0; i < 25 && !onLauncher; i++) {
      await page.keyboard.press("Tab");
      onLauncher = await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.classList.contains("kw-launcher") === true);
    }
    assert.ok(onLauncher, "the launcher is reachable with Tab");
    await page.keyboard.press("Enter");
    await widget(page).getByRole("dialog").waitFor();
    await page.keyboard.type("hi");
    await page.keyboard.press("Enter");
    await waitForReplies(page);
    let onYes = false;
    for (let i = 0; i < 30 && !onYes; i++) {
      await page.keyboard.press("Tab");
      onYes = await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.textContent === "Yes, let's start");
    }
    assert.ok(onYes, "the consent button is reachable with Tab");
    await page.keyboard.press("Enter");
    await waitForReplies(page);
    assert.equal(askedSlot(await latestBotText(page)), "side");
    // focus is back in the message field: answer by typing
    await page.keyboard.type("left");
    await page.keyboard.press("Enter");
    await waitForReplies(page);
    assert.equal(askedSlot(await latestBotText(page)), "location");
    await shot(page, "real-keyboard");
    await page.keyboard.press("Escape");
    await widget(page).getByRole("dialog").waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.querySelector("#knee-widget").shadowRoot.activeElement?.className), "kw-launcher");
    await context.close();
  });

  test("coming back: a reminder by button, two weeks later a check-in and a stepped-up plan", { timeout: 300000 }, async () => {
    const { context, page } = await newPage(browser);
    await openChat(page);
    await widget(page).getByRole("button", { name: "Start the knee check-in" }).click();
    await waitForReplies(page);
    await widget(page).getByRole("button", { name: "Yes, let's start" }).click();
    await waitForReplies(page);
    await answerAll(page);
    await widget(page).getByRole("button", { name: "Yes, remind me" }).click();
    await waitForReplies(page);
    assert.match(await latestBotText(page), /when you come back to this chat, I'll start with a quick check-in/);
    // two weeks pass: the newest assessment (this runner's) is moved back in the database
    const backdate = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE assessments SET created_at = datetime(created_at, '-15 days') WHERE conversation_id = (SELECT conversation_id FROM assessments ORDER BY id DESC LIMIT 1)\"); c.commit()";
    execFileSync(PYTHON, ["-c", backdate, join(stack.log_dir, "app.db")]);
    await say(page, "hi, I'm back");
    assert.match(await latestBotText(page), /Welcome back! Let's see how the knee has been since we last spoke 15 days ago/);
    assert.equal(askedSlot(await latestBotText(page)), "checkin_trend");
    await widget(page).getByRole("button", { name: "Better" }).click();
    await waitForReplies(page);
    const CHECKIN = { checkin_pain_now: "1", pain_score: "2", distance_now_km: "30 miles", checkin_exercises: "most days",
      emergency_check: "none of those", urgent_check: "no none", load_reduced: "no" };
    for (let turn = 0; turn < 12 && (await log(page).locator("article.kw-summary").count()) < 2; turn++) {
      const slot = askedSlot(await latestBotText(page));
      assert.ok(CHECKIN[slot], `unexpected question at the check-in: ${slot}`);
      await say(page, CHECKIN[slot]);
    }
    assert.equal(await log(page).locator("article.kw-summary").count(), 2, "a second summary after the check-in");
    const told = await log(page).innerText();
    assert.match(told, /Good to hear it's better/);
    assert.match(told, /a step up/);
    await log(page).getByText(/Good to hear it's better/).scrollIntoViewIfNeeded();
    await shot(page, "real-checkin");
    await context.close();
  });
});
