// Shared helpers for the browser tests: Debian's Chromium through playwright-core (which never
// downloads a browser), the widget's static server, the real Rasa stack, and screenshots.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const WEB = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = join(WEB, "..");
export const ARTIFACTS = join(WEB, "tests", "artifacts");
export const TESTDATA = process.env.KNEE_TESTDATA || join(REPO, "..", "shared", "testdata");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** The app's Python (PyYAML for the widget build); the machine's python3 without it. */
const APP_PYTHON = join(REPO, ".venv", "actions", "bin", "python");
export const PYTHON = existsSync(APP_PYTHON) ? APP_PYTHON : "python3";
mkdirSync(ARTIFACTS, { recursive: true });

/** Headless Chromium with the flags this closed network needs (Playwright gives it a fresh profile). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup_browser.sh`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
}

/** Runs a child process and resolves with its first stdout line that `match` accepts. */
export function startProcess(command, args, { env = {}, match, timeoutMs = 60000, name = command, cwd = REPO } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: false });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-6000); if (process.env.TEST_VERBOSE) process.stderr.write(d); });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill("SIGTERM"); reject(new Error(`${name} did not start in ${timeoutMs} ms\n${stderr}`)); }, timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}\n${stderr}`)); });
    lines.on("line", (line) => {
      if (process.env.TEST_VERBOSE) console.error(`[${name}] ${line}`);
      const found = match(line);
      if (found) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ child, value: found, stop: () => stopChild(child) });
      }
    });
  });
}
export function stopChild(child, timeoutMs = 30000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const timer = setTimeout(() => { child.kill("SIGKILL"); }, timeoutMs);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill("SIGTERM");
  });
}

/** The widget's static server (web/serve.py) on `port` (default: a free one), talking to
 * `botUrl`. A real Rasa answers only the origins it was started with (CORS_ORIGINS). */
export async function startWeb(botUrl, port = 0) {
  const started = await startProcess(PYTHON, [join(WEB, "serve.py")], {
    env: { WEB_PORT: String(port), BOT_URL: botUrl, WEB_QUIET: "1", CLINIC_NAME: "Riverside Physio" },
    match: (line) => (/^Demo .*?(http:\/\/\S+\/)$/.exec(line) || [])[1],
    name: "serve.py",
    timeoutMs: 20000,
  });
  return { url: started.value, stop: started.stop };
}

/** The real action server + Rasa server (tests/e2e/stack.py), started by web/tests/start_stack.py. */
export async function startRasaStack() {
  if (!existsSync(APP_PYTHON)) throw new Error("no .venv/actions: run `make setup` first");
  if (!existsSync(join(REPO, "rasa_project", "models", "current.tar.gz"))) throw new Error("no trained model: run `make setup` first");
  const script = process.env.WEB_E2E_STACK_SCRIPT || join(WEB, "tests", "start_stack.py");
  const started = await startProcess(APP_PYTHON, [script], {
    match: (line) => { try { const v = JSON.parse(line); return v.rasa_url ? v : null; } catch { return null; } },
    name: "start_stack.py",
    timeoutMs: 420000,
  });
  return { ...started.value, stop: started.stop };
}

/** A page at a given viewport, with the page's console errors collected. */
export async function newPage(browser, { width = 1280, height = 860, isMobile = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, isMobile, hasTouch: isMobile, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("request", (r) => page.requests.push(r.url()));
  return { context, page };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Every request the page made went to the page's server or the bot: nothing from outside. */
export function outsideRequests(page, allowed) {
  return page.requests.filter((u) => !/^(data|blob):/.test(u) && !allowed.some((a) => u.startsWith(a)));
}
