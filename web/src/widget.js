/* Knee assistant chat widget: the body of the bundle that build.py writes to dist/widget.js.
 *
 * build.py wraps this file in a function that receives `io` (socket.io-client 4.x, bundled,
 * never loaded from a CDN), `WIDGET_CSS` (src/widget.css) and `SCRIPT` (the <script> element
 * that loaded the bundle). No other request leaves the page except to the configured bot URL.
 *
 * Rules kept throughout: message content is only ever put in the page as text nodes or
 * attribute values (never innerHTML); links are made from http(s) URLs only.
 */
"use strict";

var VERSION = "1";
var DEFAULTS = {
  botUrl: "",
  clinicName: "",
  title: "",
  subtitle: "Knee pain assistant for runners",
  primaryColor: "#1d6b57",
  greeting: "",
  startLabel: "Start the knee check-in",
  startPayload: "hi",
  position: "right",
  socketPath: "/socket.io",
  transports: "websocket,polling",
  maxVideoSeconds: 60,
  minVideoSeconds: 2,
  maxVideoBytes: 209715200,
  tokenRequestText: "I'd like to send a video",
  tokenWaitMs: 20000,
  openOnLoad: false,
  historyLimit: 400
};
var DEFAULT_ACCEPT = ["video/mp4", "video/quicktime", "video/webm"];
/* How many recent messages' reply positions are kept (see KneeWidget.prototype.emit). */
var REPLIED_KEPT = 20;
var PUSH_WAIT_MS = 60000;   // how long a tab waits for a push another tab's history holds
/* The Rasa route that serves the latest assessment as a PDF (rasa_project/connectors/summary_pdf.py). */
var SUMMARY_PDF_PATH = "/webhooks/summary/pdf";
var EXTENSION_TYPES = { mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", webm: "video/webm" };

/* ---------------------------------------------------------------- config */

function readConfig() {
  var fromScript = {};
  if (SCRIPT && SCRIPT.dataset) {
    Object.keys(DEFAULTS).forEach(function (key) {
      if (SCRIPT.dataset[key] !== undefined) fromScript[key] = SCRIPT.dataset[key];
    });
  }
  var fromWindow = (typeof window.KneeWidgetConfig === "object" && window.KneeWidgetConfig) || {};
  var config = {};
  Object.keys(DEFAULTS).forEach(function (key) {
    var value = fromWindow[key] !== undefined ? fromWindow[key] : fromScript[key];
    if (value === undefined || value === "") value = DEFAULTS[key];
    if (typeof DEFAULTS[key] === "number") value = Number(value) || DEFAULTS[key];
    if (typeof DEFAULTS[key] === "boolean") value = value === true || value === "true" || value === "";
    config[key] = value;
  });
  if (!config.botUrl) config.botUrl = location.protocol + "//" + location.hostname + ":5005";
  config.botUrl = String(config.botUrl).replace(/\/+$/, "");
  if (typeof config.transports === "string") {
    config.transports = config.transports.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
  }
  if (!config.title) config.title = config.clinicName || "Knee pain assistant";
  if (!config.greeting) {
    config.greeting = "Hi! I'm the knee assistant" + (config.clinicName ? " of " + config.clinicName : "") +
      ". I ask what a physiotherapist would ask about pain on the inner side of the knee and suggest " +
      "what to do next. I don't diagnose. Type your question, or start the check-in.";
  }
  return config;
}

/* ---------------------------------------------------------------- colour */

function parseColor(text) {
  var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(text).trim());
  if (m) {
    var hex = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
  }
  m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(String(text).trim());
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}
function luminance(rgb) {
  var c = rgb.map(function (v) {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function contrastRatio(a, b) {
  var la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
/** The clinic colour, darkened just enough for white text on it (and it as text on white) to pass 4.5:1. */
function accessiblePrimary(text) {
  var rgb = parseColor(text) || parseColor(DEFAULTS.primaryColor);
  var white = [255, 255, 255];
  for (var i = 0; i < 40 && contrastRatio(rgb, white) < 4.6; i++) {
    rgb = rgb.map(function (v) { return Math.round(v * 0.92); });
  }
  return "#" + rgb.map(function (v) { return ("0" + v.toString(16)).slice(-2); }).join("");
}

/* ---------------------------------------------------------------- storage */

function makeStore(key) {
  function get(area, k) {
    try { return JSON.parse(area.getItem(k)); } catch (e) { return null; }
  }
  function set(area, k, value) {
    try { area.setItem(k, JSON.stringify(value)); } catch (e) { /* full or blocked: keep in memory */ }
  }
  return {
    key: key,
    load: function () { return get(window.localStorage, key); },
    save: function (state) { set(window.localStorage, key, state); },
    loadToken: function () { return get(window.sessionStorage, key + ":upload"); },
    saveToken: function (upload) {
      if (upload) set(window.sessionStorage, key + ":upload", upload);
      else { try { window.sessionStorage.removeItem(key + ":upload"); } catch (e) { /* ignore */ } }
    },
    loadPdfLink: function () { return get(window.sessionStorage, key + ":pdf"); },
    savePdfLink: function (link) { set(window.sessionStorage, key + ":pdf", link); }
  };
}
function randomId() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

/* ---------------------------------------------------------------- DOM helpers */

function h(tag, attrs, children) {
  var el = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "class") el.className = value;
      else if (name === "text") el.textContent = value;
      else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    });
  }
  (children || []).forEach(function (child) {
    if (child === null || child === undefined) return;
    el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return el;
}
function svg(path, label) {
  var ns = "http://www.w3.org/2000/svg";
  var el = document.createElementNS(ns, "svg");
  el.setAttribute("viewBox", "0 0 24 24");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("focusable", "false");
  var p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  p.setAttribute("fill", "currentColor");
  el.appendChild(p);
  return el;
}
var ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm2 4v2h12V8H6zm0 4v2h9v-2H6z",
  close: "M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z",
  send: "M3 20.5 22 12 3 3.5 3 10l13 2-13 2z",
  clip: "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z",
  restart: "M12 5V2L7 6l5 4V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z"
};

var URL_RE = /\bhttps?:\/\/[^\s<>"']+/g;
/** Appends `text` to `parent` as text nodes, with http(s) URLs as links. */
function appendLinkified(parent, text) {
  var last = 0;
  String(text).replace(URL_RE, function (match, offset) {
    var url = match.replace(/[.,;:!?)\]]+$/, "");
    if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
    var a = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [url]);
    parent.appendChild(a);
    last = offset + url.length;
    return match;
  });
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}
function humanise(value) {
  var s = String(value).replace(/_/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
// Megabytes of 10^6 bytes, rounded down from 100 MB on: the same number the bot names in
// its upload offer and refusal (kneeapp.settings.megabytes).
function formatBytes(n) {
  if (n >= 1e8) return Math.floor(n / 1e6) + " MB";
  if (n >= 1e6) return (Math.floor(n / 1e5) / 10).toFixed(1) + " MB";
  if (n >= 1000) return Math.round(n / 1000) + " KB";
  return n + " bytes";
}
/** Today as YYYY-MM-DD (the date in a downloaded summary's file name). */
function today() { return new Date().toISOString().slice(0, 10); }
function formatSeconds(s) {
  s = Math.round(s);
  if (s < 60) return s + " s";
  return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
}

/* ---------------------------------------------------------------- clinic summary in plain words */

/* Each level's label and advice: data/guidance.yml's level_cards; the answers and the video
   block in words: data/summary_words.yml (the clinician PDF reads the same file); warning
   signs as data/red_flags.yml words them. build.py writes all three into the bundle. */
var LEVELS = LEVEL_CARDS;
var WORDS = SUMMARY_WORDS;
var LABEL_OF = {};
WORDS.answers.forEach(function (item) { LABEL_OF[item.key] = item.label; });
var HIDDEN_ANSWERS = {};
WORDS.hidden_answers.forEach(function (key) { HIDDEN_ANSWERS[key] = true; });

/** `template` with each {name} replaced by values[name]. */
function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, function (all, name) { return values[name] !== undefined ? String(values[name]) : all; });
}
function labelOf(key) { return LABEL_OF[key] || humanise(key); }
function weeksWords(value) {
  if (value < 1) return WORDS.formats.less_than_a_week;
  if (value < 3 && Math.abs(value - Math.round(value)) > 0.05) return fill(WORDS.formats.days, { days: Math.round(value * 7) });
  var weeks = Math.round(value * 10) / 10;
  return weeks === 1 ? WORDS.formats.one_week : fill(WORDS.formats.weeks, { weeks: weeks });
}
function numberWords(key, value) {
  if (/_km$/.test(key)) return fill(WORDS.formats.distance, { km: value, miles: Math.round(value / KM_PER_MILE) });
  if (/_pct$/.test(key)) return fill(WORDS.formats.percent, { signed: (value > 0 ? "+" : "") + value });
  if (/_weeks$|^weeks_/.test(key)) return weeksWords(value);
  return String(value);
}
/** One answer in words, or null when there is nothing to say (never JSON). */
function formatAnswer(key, value) {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    if (!value.length) return WORDS.empty_lists[key] || null;
    if (key === "red_flags") return value.map(function (v) { return WORDS.warning_signs[v] || humanise(v); }).join("; ");
    var parts = value.map(function (v) { return formatAnswer(key, v); }).filter(Boolean);
    return parts.length ? parts.join(", ") : null;
  }
  if (typeof value === "boolean") return value ? WORDS.formats.yes : WORDS.formats.no;
  if (typeof value === "number") return numberWords(key, value);
  if (typeof value === "object") return null;
  var words = WORDS.values[key];
  if (words && words[value] !== undefined) return words[value];
  return humanise(value);
}
/** [[label, words], ...] for every answer worth reading, in a fixed order, then any other
    answer; one the runner did not know reads "Not known" in its place. */
function answerRows(answers) {
  var rows = [], listed = {};
  answers = answers || {};
  var unknown = {};
  (answers.unknown || []).forEach(function (key) { unknown[key] = true; });
  var keys = WORDS.answers.map(function (item) { listed[item.key] = true; return item.key; });
  Object.keys(answers).forEach(function (key) { if (!listed[key] && !HIDDEN_ANSWERS[key]) keys.push(key); });
  keys.forEach(function (key) {
    var words = unknown[key] ? WORDS.formats.not_known : formatAnswer(key, answers[key]);
    if (words !== null) rows.push([labelOf(key), words]);
  });
  var unclear = answers.unclear_answers || {};
  Object.keys(unclear).forEach(function (key) {
    rows.push([fill(WORDS.formats.own_words, { label: labelOf(key) }), String(unclear[key])]);
  });
  return rows;
}
function lowerFirst(text) { return text.charAt(0).toLowerCase() + text.slice(1); }
/** [[label, words], ...] for the video block: what was filmed, then every measure in words. */
function videoRows(video) {
  if (!video || typeof video !== "object") return [];
  var rows = [], v = WORDS.video;
  if (video.activity) {
    var activity = v.activities[video.activity] || humanise(video.activity);
    rows.push([v.filmed_label, video.view ? fill(v.filmed, { activity: activity, view: v.views[video.view] || video.view }) : activity]);
  }
  if (video.usable === false) rows.push([v.not_measured_label, v.not_measured]);
  if (video.counted) rows.push([v.counted_label, String(video.counted)]);
  (Array.isArray(video.measures_in_words) ? video.measures_in_words : []).forEach(function (m) {
    if (!m || !m.label || !m.value) return;
    var words = String(m.value) + (m.typical ? " (" + fill(v.usual, { typical: m.typical }) + ")" : "");
    if (m.severity === "marked" || m.severity === "mild") words += " – " + lowerFirst(v.readings[m.severity]);
    if (m.confidence === "low") words += " – " + lowerFirst(v.confidence.low);
    rows.push([String(m.label), words]);
  });
  return rows;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
/** A stand-alone, printable HTML document of the clinic summary (every value escaped). */
function summaryDocument(triage, context) {
  var level = LEVELS[triage.level] || { label: humanise(triage.level || "unknown"), advice: "" };
  var date = new Date();
  var when = date.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
  var list = function (items) { return items.length ? "<ul>" + items.map(function (i) { return "<li>" + escapeHtml(i) + "</li>"; }).join("") + "</ul>" : "<p>None.</p>"; };
  var table = function (rows) {
    return "<table>" + rows.map(function (r) { return "<tr><th scope=\"row\">" + escapeHtml(r[0]) + "</th><td>" + escapeHtml(r[1]) + "</td></tr>"; }).join("") + "</table>";
  };
  var plan = (triage.plan || []).map(function (id) { return context.exerciseName(id); });
  var video = videoRows(triage.video);
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>Knee pain summary for my clinician</title><style>" +
    "body{font-family:system-ui,Arial,sans-serif;color:#1f2328;max-width:760px;margin:24px auto;padding:0 18px;line-height:1.5}" +
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:22px 0 6px;border-bottom:1px solid #c4c9cf;padding-bottom:3px}" +
    ".level{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:700;color:#fff;background:" +
    ({ emergency: "#8e0f14", urgent: "#9a3d00", clinician: "#174ea6", self_care: "#1b6b2e" }[triage.level] || "#4d5560") + "}" +
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #dde1e5}" +
    "th{width:40%;color:#4d5560}.meta{color:#4d5560}.note{font-size:14px;color:#4d5560;margin-top:24px}" +
    "button{font:inherit;padding:8px 16px;margin:12px 0}@media print{button{display:none}body{margin:0}}" +
    "</style></head><body>" +
    "<h1>Knee pain summary for my clinician</h1>" +
    "<p class=\"meta\">" + escapeHtml(when) + (context.clinicName ? " · from the knee assistant of " + escapeHtml(context.clinicName) : "") +
    " · summary format " + escapeHtml(triage.schema_version || 1) + "</p>" +
    "<button type=\"button\" onclick=\"window.print()\">Print this page</button>" +
    "<h2>Advice given</h2><p><span class=\"level\">" + escapeHtml(level.label) + "</span></p><p>" + escapeHtml(level.advice) + "</p>" +
    "<h2>Why</h2>" + list((triage.reasons || []).map(function (r) { return r.text || humanise(r.id); })) +
    "<h2>What I told the assistant</h2>" + table(answerRows(triage.answers)) +
    "<h2>Exercise plan suggested</h2>" + (plan.length ? "<ol>" + plan.map(function (p) { return "<li>" + escapeHtml(p) + "</li>"; }).join("") + "</ol>" : "<p>No exercises for now.</p>") +
    (video.length ? "<h2>Video check</h2>" + table(video) : "") +
    "<p class=\"note\">This records what I told an automated assistant and the advice it gave. It is not a diagnosis.</p>" +
    "<script type=\"application/json\" id=\"summary-data\">" + JSON.stringify({ triage: triage }).replace(/</g, "\\u003c") + "<\/script>" +
    "</body></html>\n";
}

/* ---------------------------------------------------------------- the widget */

function KneeWidget(config) {
  var self = this;
  this.config = config;
  this.primary = accessiblePrimary(config.primaryColor);
  this.store = makeStore("kneeWidget:" + VERSION + ":" + config.botUrl);
  var saved = this.store.load();
  this.state = saved && saved.sessionId ? saved : { sessionId: randomId(), history: [], open: false };
  // messages not yet acknowledged by the server ({id, message, sent}), oldest first, and
  // the positions of the replies shown per message id (a message sent again gets its
  // replies again: those already shown are dropped)
  // (a tab sends its own pending messages; on loading it adopts those a tab left behind)
  this.tabId = randomId();
  if (!Array.isArray(this.state.pending)) this.state.pending = [];
  this.state.pending.forEach(function (m) { m.tab = self.tabId; });
  if (!this.state.replied || typeof this.state.replied !== "object") this.state.replied = {};
  this.upload = this.store.loadToken();   // {url, token, expires_at, max_bytes, accept}
  this.pdfLink = this.store.loadPdfLink(); // {url, token, expires_at}: the summary PDF's link
  this.socket = null;
  this.ready = false;
  this.inFlight = null;                   // the id of the message sent and not yet acknowledged
  this.unread = 0;
  this.pending = null;                    // the video waiting to go: {file, el, ...}
  this.analysisEls = {};
  this.exerciseNames = {};
  this.awaitedPushes = [];               // pushes an adopted history shows: {msg, until}
  this.build();
  this.renderHistory();
  if (this.state.history.length || this.state.open) this.connect();
  if (this.state.open || config.openOnLoad) this.open(false);
  window.addEventListener("storage", function (event) {
    if (event.key === self.store.key) self.onForeignChange();
  });
}

KneeWidget.prototype.build = function () {
  var self = this, c = this.config;
  this.host = h("div", { id: "knee-widget", "data-knee-widget": VERSION });
  this.root = this.host.attachShadow({ mode: "open" });
  var style = h("style", { text: WIDGET_CSS + "\n:host{--kw-primary:" + this.primary + ";--kw-link:" + this.primary + ";}" });
  var wrap = h("div", { class: "kw-wrap" + (c.position === "left" ? " kw-left" : "") });
  var uid = randomId().slice(0, 8);
  var ids = { panel: "kw-panel-" + uid, title: "kw-title-" + uid, input: "kw-input-" + uid, help: "kw-help-" + uid };

  this.badge = h("span", { class: "kw-badge", hidden: true, "aria-hidden": "true" });
  this.launcher = h("button", {
    type: "button", class: "kw-launcher", "aria-haspopup": "dialog", "aria-expanded": "false",
    "aria-controls": ids.panel, "aria-label": "Open chat: " + c.title,
    onclick: function () { self.open(true); }
  }, [svg(ICONS.chat), h("span", { text: "Knee pain? Ask us", "aria-hidden": "true" }), this.badge]);

  this.closeBtn = h("button", { type: "button", class: "kw-icon-btn", "aria-label": "Close chat", onclick: function () { self.close(); } }, [svg(ICONS.close)]);
  this.restartBtn = h("button", {
    type: "button", class: "kw-icon-btn", "aria-label": "Start a new conversation", title: "Start a new conversation",
    onclick: function () { self.askRestart(); }
  }, [svg(ICONS.restart)]);
  var header = h("div", { class: "kw-header" }, [
    h("div", { class: "kw-titles" }, [
      h("h2", { class: "kw-title", id: ids.title, text: c.title }),
      h("p", { class: "kw-subtitle", text: c.subtitle })
    ]),
    this.restartBtn, this.closeBtn
  ]);
  this.conn = h("p", { class: "kw-conn", role: "status", hidden: true });
  this.confirmBox = h("div", { class: "kw-confirm", hidden: true }, [
    h("p", { text: "Clear this chat from this device and start a new conversation?" }),
    h("div", { class: "kw-row" }, [
      h("button", { type: "button", class: "kw-btn kw-btn-small kw-btn-solid", text: "Yes, start again", onclick: function () { self.restart(); } }),
      h("button", { type: "button", class: "kw-btn kw-btn-small", text: "Cancel", onclick: function () { self.confirmBox.hidden = true; self.restartBtn.focus(); } })
    ])
  ]);
  this.log = h("div", { class: "kw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });
  this.typing = h("div", { class: "kw-typing", hidden: true }, [
    h("span", { class: "kw-dots", "aria-hidden": "true" }, [h("i"), h("i"), h("i")]),
    h("span", { text: "The assistant is typing…" })
  ]);
  this.fileInput = h("input", { type: "file", accept: DEFAULT_ACCEPT.join(",") + ",video/*", class: "kw-sr", tabindex: "-1", "aria-hidden": "true" });
  this.fileInput.addEventListener("change", function () {
    var file = self.fileInput.files && self.fileInput.files[0];
    self.fileInput.value = "";
    if (file) self.handleFile(file);
  });
  this.attachBtn = h("button", {
    type: "button", class: "kw-icon-btn", "aria-label": "Attach a video of your running or squat",
    title: "Attach a video", onclick: function () { self.fileInput.click(); }
  }, [svg(ICONS.clip)]);
  this.input = h("input", {
    type: "text", class: "kw-input", id: ids.input, autocomplete: "off", maxlength: "1000",
    placeholder: "Type your message…", "aria-describedby": ids.help
  });
  this.sendBtn = h("button", { type: "submit", class: "kw-icon-btn kw-send", "aria-label": "Send message" }, [svg(ICONS.send)]);
  var form = h("form", { class: "kw-composer", onsubmit: function (e) { e.preventDefault(); self.submitText(); } }, [
    h("label", { class: "kw-sr", for: ids.input, text: "Your message" }),
    this.attachBtn, this.input, this.sendBtn, this.fileInput
  ]);
  var footer = h("p", { class: "kw-footer", id: ids.help, text: "Not a diagnosis. In an emergency call your local emergency number. You can attach or drop a short video." });
  this.dropZone = h("div", { class: "kw-drop", hidden: true, "aria-hidden": "true", text: "Drop your video here" });
  this.panel = h("div", {
    class: "kw-panel", id: ids.panel, role: "dialog", "aria-modal": "true", "aria-labelledby": ids.title, hidden: true
  }, [header, this.conn, this.confirmBox, this.log, this.typing, form, footer, this.dropZone]);
  this.panel.addEventListener("keydown", function (e) { self.onKeyDown(e); });
  // focus can fall out of the panel (a clicked element removed): Esc and Tab still work
  document.addEventListener("keydown", function (e) {
    if (!self.panel.hidden && !e.defaultPrevented && e.target !== self.host) self.onKeyDown(e);
  });
  this.setupDrop();

  wrap.appendChild(this.launcher);
  wrap.appendChild(this.panel);
  this.root.appendChild(style);
  this.root.appendChild(wrap);
  this.wrap = wrap;
  (document.body || document.documentElement).appendChild(this.host);
};

/* ---------------------------------------------------------------- open / close / focus */

KneeWidget.prototype.open = function (moveFocus) {
  this.panel.hidden = false;
  this.launcher.hidden = true;
  this.launcher.setAttribute("aria-expanded", "true");
  this.unread = 0;
  this.updateBadge();
  this.state.open = true;
  this.save();
  this.connect();
  this.scrollToEnd();
  if (moveFocus !== false) this.input.focus();
};
KneeWidget.prototype.close = function () {
  this.closeLightbox(false);
  this.panel.hidden = true;
  this.launcher.hidden = false;
  this.launcher.setAttribute("aria-expanded", "false");
  this.state.open = false;
  this.save();
  this.launcher.focus();
};
KneeWidget.prototype.focusables = function (container) {
  var list = container.querySelectorAll('button, [href], input:not([type="file"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  return Array.prototype.filter.call(list, function (el) {
    return !el.disabled && !el.closest("[hidden]") && el.getClientRects().length > 0;
  });
};
KneeWidget.prototype.onKeyDown = function (e) {
  if (e.key === "Escape") {
    e.preventDefault();
    if (this.lightbox) this.closeLightbox(true);
    else if (!this.confirmBox.hidden) { this.confirmBox.hidden = true; this.restartBtn.focus(); }
    else this.close();
    return;
  }
  if (e.key !== "Tab") return;
  var container = this.lightbox || this.panel;
  var items = this.focusables(container);
  if (!items.length) return;
  var first = items[0], last = items[items.length - 1], active = this.root.activeElement;
  if (e.shiftKey && (active === first || !container.contains(active))) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && (active === last || !container.contains(active))) { e.preventDefault(); first.focus(); }
};
KneeWidget.prototype.updateBadge = function () {
  this.badge.hidden = !this.unread;
  this.badge.textContent = this.unread > 9 ? "9+" : String(this.unread);
  this.launcher.setAttribute("aria-label", "Open chat: " + this.config.title +
    (this.unread ? " (" + this.unread + " new message" + (this.unread > 1 ? "s" : "") + ")" : ""));
};

/* ---------------------------------------------------------------- connection */

KneeWidget.prototype.connect = function () {
  var self = this;
  if (this.socket) return;
  this.setConn("Connecting to the assistant…");
  var socket = this.socket = io(this.config.botUrl, {
    path: this.config.socketPath,
    transports: this.config.transports,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    timeout: 10000
  });
  socket.on("connect", function () {
    self.ready = false;
    socket.emit("session_request", { session_id: self.state.sessionId });
  });
  socket.on("session_confirm", function (data) {
    var id = data && typeof data === "object" ? data.session_id : data;
    if (id && id !== self.state.sessionId) { /* the server keeps our id; anything else is ignored */ }
    self.ready = true;
    self.setConn(null);
    self.flush();
  });
  socket.on("disconnect", function (reason) {
    self.ready = false;
    self.inFlight = null;  // its acknowledgement is lost with the connection: sent again
    if (reason !== "io client disconnect") self.setConn("Connection lost. Reconnecting… Your conversation is kept on this device.");
  });
  socket.on("connect_error", function () {
    self.ready = false;
    self.setConn("Can't reach the assistant right now. Retrying… Your conversation is kept on this device.");
  });
  socket.on("bot_uttered", function (message) { self.onBotMessage(message); });
};
KneeWidget.prototype.setConn = function (text) {
  this.conn.hidden = !text;
  this.conn.textContent = text || "";
};
/* Every message gets a random id and stays pending (saved with the conversation) until the
 * server acknowledges it, which it does when the turn is over. One message is on its way at
 * a time, so that one sent again after a lost connection keeps its place. On every
 * (re)connection the oldest pending message is sent again with the same id and
 * `resend: true`: the server runs each id's turn once and answers a copy with the turn's
 * replies, tagged `reply_to`/`reply_index`, of which onBotMessage drops those shown. */
KneeWidget.prototype.emit = function (message) {
  this.queue({ id: randomId(), message: message, tab: this.tabId });
};
KneeWidget.prototype.queue = function (item) {
  this.state.pending.push(item);
  this.save();
  this.flush();
};
KneeWidget.prototype.flush = function () {
  var self = this, socket = this.socket;
  if (!socket || !this.ready || !socket.connected) { this.connect(); return; }
  var next = this.state.pending[0];
  if (this.inFlight || !next) return;
  var data = { message: next.message, session_id: this.state.sessionId, message_id: next.id };
  if (next.sent) data.resend = true;
  next.sent = true;
  this.inFlight = next.id;
  this.save();
  socket.emit("user_uttered", data, function (ack) { self.acknowledged(next.id, ack); });
};
/* A turn the server could not run (acknowledged "failed": nothing of it was saved) is not
 * dropped in silence: a note says so and offers to send the same message again, same id. */
KneeWidget.prototype.acknowledged = function (id, ack) {
  var failed = ack && ack.status === "failed" ? this.state.pending.filter(function (m) { return m.id === id; })[0] : null;
  this.state.pending = this.state.pending.filter(function (m) { return m.id !== id; });
  if (this.inFlight === id) this.inFlight = null;
  if (failed) {
    this.typing.hidden = true;
    this.addEntry({ who: "unsent", msg: { id: failed.id, message: failed.message } });
    this.scrollToEnd();
  }
  this.save();
  this.flush();
};
KneeWidget.prototype.renderUnsent = function (entry) {
  if (entry.resent) return;
  var self = this, note = h("div", { class: "kw-note kw-unsent", role: "alert" }, [
    h("p", { text: "Your last message didn't reach the assistant because of a problem on our side. Nothing is lost: you can send it again." })
  ]);
  note.appendChild(h("button", { type: "button", class: "kw-btn kw-btn-small kw-btn-solid", text: "Send again", onclick: function () {
    entry.resent = true;
    note.remove();
    self.showTyping();
    self.queue({ id: entry.msg.id, message: entry.msg.message, sent: true, tab: self.tabId });
  } }));
  this.log.appendChild(note);
};
/** Whether a reply of a message's turn is already shown (and notes it when not). */
KneeWidget.prototype.shownBefore = function (raw) {
  if (!raw || typeof raw.reply_to !== "string" || typeof raw.reply_index !== "number") return false;
  var replied = this.state.replied, shown = replied[raw.reply_to];
  if (!shown) {
    shown = replied[raw.reply_to] = [];
    keepNewest(replied, REPLIED_KEPT);
  }
  if (shown.indexOf(raw.reply_index) >= 0) return true;
  shown.push(raw.reply_index);
  return false;
};

/* ---------------------------------------------------------------- history */

/* Another tab of the same conversation saves to the same place: the pending messages it
 * saved stay saved beside this tab's own, so closing either tab loses none. */
KneeWidget.prototype.save = function () {
  var h0 = this.state.history;
  if (h0.length > this.config.historyLimit) this.state.history = h0.slice(h0.length - this.config.historyLimit);
  this.store.save(Object.assign({}, this.state, { pending: this.state.pending.concat(this.othersPending()) }));
};
KneeWidget.prototype.othersPending = function () {
  var saved = this.store.load(), tab = this.tabId, own = this.state.pending;
  if (!saved || saved.sessionId !== this.state.sessionId || !Array.isArray(saved.pending)) return [];
  return saved.pending.filter(function (m) {
    return m.tab !== tab && !own.some(function (o) { return o.id === m.id; });
  });
};
/* Both tabs receive every reply (the server sends to the conversation's room). A tab that
 * adopts the other's history before its own copy of a reply arrives must not show that reply
 * twice: it takes the other tab's record of replies shown, and waits for the pushes (replies
 * outside a turn, untagged) the adopted history holds, for up to PUSH_WAIT_MS. */
KneeWidget.prototype.onForeignChange = function () {
  var saved = this.store.load();
  if (!saved || saved.sessionId !== this.state.sessionId) return;
  this.adoptReplied(saved.replied);
  if (saved.history.length === this.state.history.length) return;
  this.awaitPushesOf(saved.history);
  this.state.history = saved.history;
  this.renderHistory();
};
KneeWidget.prototype.adoptReplied = function (theirs) {
  if (!theirs || typeof theirs !== "object") return;
  var replied = this.state.replied;
  Object.keys(theirs).forEach(function (id) {
    if (!Array.isArray(theirs[id])) return;
    var shown = replied[id] = replied[id] || [];
    theirs[id].forEach(function (index) { if (shown.indexOf(index) < 0) shown.push(index); });
  });
  keepNewest(replied, REPLIED_KEPT);
};
/** Drops an object's oldest keys (in insertion order) beyond `kept`. */
function keepNewest(object, kept) {
  var keys = Object.keys(object);
  keys.slice(0, Math.max(0, keys.length - kept)).forEach(function (old) { delete object[old]; });
}
KneeWidget.prototype.awaitPushesOf = function (history) {
  var own = {}, now = Date.now(), awaited = this.awaitedPushes;
  this.state.history.forEach(function (entry) { own[JSON.stringify(entry)] = true; });
  history.forEach(function (entry) {
    if (entry.push && !own[JSON.stringify(entry)]) awaited.push({ msg: JSON.stringify(entry.msg), until: now + PUSH_WAIT_MS });
  });
};
/** Whether a push is one an adopted history already shows (and forgets it when so). */
KneeWidget.prototype.adoptedBefore = function (msg) {
  var key = JSON.stringify(msg), now = Date.now();
  this.awaitedPushes = this.awaitedPushes.filter(function (a) { return a.until > now; });
  for (var i = 0; i < this.awaitedPushes.length; i++) {
    if (this.awaitedPushes[i].msg === key) { this.awaitedPushes.splice(i, 1); return true; }
  }
  return false;
};
KneeWidget.prototype.addEntry = function (entry, render) {
  entry.t = entry.t || Date.now();
  this.state.history.push(entry);
  this.save();
  if (render !== false) this.renderEntry(entry, false);
};
KneeWidget.prototype.renderHistory = function () {
  var self = this;
  this.log.textContent = "";
  this.analysisEls = {};
  this.exerciseNames = {};
  if (!this.state.history.length) {
    this.addEntry({ who: "bot", local: true, msg: {
      text: this.config.greeting,
      quick_replies: [{ title: this.config.startLabel, payload: this.config.startPayload }]
    } }, false);
  }
  this.state.history.forEach(function (entry) { self.renderEntry(entry, true); });
  this.refreshReplies();
  this.scrollToEnd();
};
/** Quick replies stay only on the bot messages after the runner's last message. */
KneeWidget.prototype.refreshReplies = function () {
  var groups = this.log.querySelectorAll(".kw-replies");
  var lastUser = null, all = this.log.querySelectorAll(".kw-user");
  if (all.length) lastUser = all[all.length - 1];
  Array.prototype.forEach.call(groups, function (g) {
    var after = !lastUser || (lastUser.compareDocumentPosition(g) & Node.DOCUMENT_POSITION_FOLLOWING);
    g.hidden = !after;
  });
};
KneeWidget.prototype.nearEnd = function () {
  return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 320;
};
KneeWidget.prototype.scrollToEnd = function () {
  var log = this.log;
  window.requestAnimationFrame(function () { log.scrollTop = log.scrollHeight; });
};

/* ---------------------------------------------------------------- sending */

KneeWidget.prototype.submitText = function () {
  var text = this.input.value.trim();
  if (!text) return;
  this.input.value = "";
  this.sendUser(text, text);
};
KneeWidget.prototype.sendUser = function (shown, message) {
  this.confirmBox.hidden = true;
  this.addEntry({ who: "user", msg: { text: shown } });
  this.refreshReplies();
  this.emit(message);
  this.showTyping();
  this.scrollToEnd();
};
KneeWidget.prototype.showTyping = function () {
  var self = this;
  this.typing.hidden = false;
  clearTimeout(this.typingTimer);
  this.typingTimer = setTimeout(function () { self.typing.hidden = true; }, 15000);
};
KneeWidget.prototype.hideTypingSoon = function () {
  var self = this;
  clearTimeout(this.typingTimer);
  this.typingTimer = setTimeout(function () { self.typing.hidden = true; }, 250);
};

/* ---------------------------------------------------------------- receiving */

/** Bot messages come as the socket.io channel sends them, or from the upload endpoint's
 *  collected replies ({"text", "buttons", "image", "custom", ...}); both are handled. */
function normaliseBotMessage(message) {
  if (!message || typeof message !== "object") return null;
  var out = {};
  Object.keys(message).forEach(function (k) {
    if (k !== "recipient_id" && k !== "room" && k !== "custom" && k !== "reply_to" && k !== "reply_index") out[k] = message[k];
  });
  if (message.custom && typeof message.custom === "object") {
    Object.keys(message.custom).forEach(function (k) { out[k] = message.custom[k]; });
  }
  if (message.attachment && message.attachment.type === "image" && message.attachment.payload) {
    out.image = message.attachment.payload.src || message.attachment.payload.url;
    delete out.attachment;
  }
  return out;
}
KneeWidget.prototype.onBotMessage = function (raw) {
  if (this.shownBefore(raw)) return;
  var msg = normaliseBotMessage(raw);
  if (!msg) return;
  if (msg.upload && typeof msg.upload === "object") {
    this.upload = msg.upload;
    this.store.saveToken(msg.upload);
    msg = Object.assign({}, msg, { upload: { url: msg.upload.url, expires_at: msg.upload.expires_at, max_bytes: msg.upload.max_bytes, accept: msg.upload.accept } });
    this.onUploadOffered();
  }
  if (msg.pdf && typeof msg.pdf === "object") {
    // the summary's PDF link: kept for this tab only, never in the saved history
    if (msg.pdf.token) { this.pdfLink = msg.pdf; this.store.savePdfLink(msg.pdf); }
    msg = Object.assign({}, msg);
    delete msg.pdf;
  }
  var push = !raw || typeof raw.reply_to !== "string";
  if (push && this.adoptedBefore(msg)) return;
  this.hideTypingSoon();
  this.addEntry(push ? { who: "bot", push: true, msg: msg } : { who: "bot", msg: msg });
  if (this.panel.hidden) { this.unread += 1; this.updateBadge(); }
  this.scrollToEnd();
};
KneeWidget.prototype.resolveUrl = function (url) {
  try {
    var resolved = new URL(String(url), this.config.botUrl + "/");
    return /^https?:$/.test(resolved.protocol) ? resolved.href : null;
  } catch (e) { return null; }
};

KneeWidget.prototype.renderEntry = function (entry, replay) {
  var msg = entry.msg || {}, self = this;
  if (entry.who === "user") {
    var bubble = h("p", { class: "kw-bubble" });
    appendLinkified(bubble, msg.text || "");
    var children = [h("span", { class: "kw-sr", text: "You said: " }), bubble];
    if (msg.video) children = [h("span", { class: "kw-sr", text: "You sent: " }), h("p", { class: "kw-bubble", text: "Video: " + msg.video })];
    this.log.appendChild(h("div", { class: "kw-msg kw-user" }, children));
    return;
  }
  if (entry.who === "note") {
    this.log.appendChild(h("p", { class: "kw-note", text: msg.text }));
    return;
  }
  if (entry.who === "unsent") {
    this.renderUnsent(entry);
    return;
  }
  var parts = [];
  if (typeof msg.text === "string" && msg.text.trim()) {
    var p = h("p", { class: "kw-bubble" });
    appendLinkified(p, msg.text);
    parts.push(p);
  }
  var image = msg.image;
  if (image) {
    var src = this.resolveUrl(image);
    if (src) parts.push(this.renderImage(src, msg.alt || msg.title));
  }
  var buttons = msg.quick_replies || msg.buttons;
  if (Array.isArray(buttons) && buttons.length) {
    parts.push(h("div", { class: "kw-replies", role: "group", "aria-label": "Suggested answers" }, buttons.map(function (b) {
      var title = String(b.title || b.payload || "");
      var payload = String(b.payload || b.title || "");
      if (b.url || b.type === "web_url") {
        var href = self.resolveUrl(b.url || b.payload);
        return href ? h("a", { class: "kw-btn", href: href, target: "_blank", rel: "noopener noreferrer", text: title }) : null;
      }
      return h("button", { type: "button", class: "kw-btn", text: title, onclick: function () { self.sendUser(title, payload); self.input.focus(); } });
    })));
  }
  if (parts.length) {
    this.log.appendChild(h("div", { class: "kw-msg kw-bot" }, [h("span", { class: "kw-sr", text: "Assistant said: " })].concat(parts)));
  }
  if (msg.exercise && typeof msg.exercise === "object") this.log.appendChild(this.renderExercise(msg.exercise));
  if (msg.triage && typeof msg.triage === "object") this.log.appendChild(this.renderSummary(msg.triage));
  if (msg.analysis && typeof msg.analysis === "object") this.renderAnalysis(msg.analysis, entry.t, replay);
  if (msg.upload && !replay) {
    this.log.appendChild(h("p", { class: "kw-note", text: "You can now attach a video with the paperclip button, or drop it here." }));
  }
};

KneeWidget.prototype.renderImage = function (src, alt) {
  var self = this;
  var label = alt ? String(alt) : "Picture from the assistant";
  var button = h("button", { type: "button", class: "kw-thumb", "aria-label": "Enlarge picture: " + label }, [
    h("img", { src: src, alt: label, onload: function () { if (self.nearEnd()) self.scrollToEnd(); } }),
    h("span", { class: "kw-thumb-hint", "aria-hidden": "true", text: "Tap to enlarge" })
  ]);
  button.addEventListener("click", function () { self.openLightbox(src, label, button); });
  return button;
};
KneeWidget.prototype.openLightbox = function (src, label, opener) {
  var self = this;
  this.closeLightbox(false);
  var closeBtn = h("button", { type: "button", class: "kw-btn", text: "Close picture", onclick: function () { self.closeLightbox(true); } });
  this.lightbox = h("div", { class: "kw-lightbox", role: "dialog", "aria-modal": "true", "aria-label": label }, [
    h("img", { src: src, alt: label }), h("p", { text: label }), closeBtn
  ]);
  this.lightbox.addEventListener("click", function (e) { if (e.target === self.lightbox) self.closeLightbox(true); });
  this.lightboxOpener = opener;
  this.panel.appendChild(this.lightbox);
  closeBtn.focus();
};
KneeWidget.prototype.closeLightbox = function (restoreFocus) {
  if (!this.lightbox) return;
  this.lightbox.remove();
  this.lightbox = null;
  if (restoreFocus && this.lightboxOpener) this.lightboxOpener.focus();
};

KneeWidget.prototype.renderExercise = function (ex) {
  if (ex.id && ex.name) this.exerciseNames[ex.id] = ex.name;
  var rows = [["What it helps", ex.contributor ? humanise(ex.contributor) : null], ["How to do it", ex.how_to],
    ["How much", ex.dosage], ["Make it harder", ex.progression], ["Tip", ex.cue], ["Source", ex.source]];
  var dl = h("dl");
  rows.forEach(function (r) {
    if (r[1] === null || r[1] === undefined || r[1] === "") return;
    var dd = h("dd");
    appendLinkified(dd, Array.isArray(r[1]) ? r[1].join(", ") : String(r[1]));
    dl.appendChild(h("dt", { text: r[0] }));
    dl.appendChild(dd);
  });
  return h("article", { class: "kw-card kw-exercise", "aria-label": "Exercise: " + (ex.name || "") }, [
    h("p", { class: "kw-kicker", text: "Exercise" }), h("h3", { text: ex.name || humanise(ex.id || "exercise") }), dl
  ]);
};
KneeWidget.prototype.exerciseName = function (id) {
  return this.exerciseNames[id] || humanise(id);
};

/** Remembers the display names the summary carries, so every place shows the same name. */
KneeWidget.prototype.learnNames = function (triage) {
  var names = this.exerciseNames;
  (triage.plan_details || []).forEach(function (item) { if (item.id && item.name) names[item.id] = item.name; });
};
KneeWidget.prototype.renderSummary = function (triage) {
  var self = this;
  this.learnNames(triage);
  var level = LEVELS[triage.level] || { label: humanise(triage.level || "unknown"), advice: "" };
  var reasons = (triage.reasons || []).map(function (r) { return h("li", { text: r.text || humanise(r.id) }); });
  var rows = answerRows(triage.answers);
  var dl = h("dl");
  rows.forEach(function (r) { dl.appendChild(h("dt", { text: r[0] })); dl.appendChild(h("dd", { text: r[1] })); });
  var plan = (triage.plan || []).map(function (id) { return h("li", { text: self.exerciseName(id) }); });
  var video = videoRows(triage.video);
  var vdl = h("dl");
  video.forEach(function (r) { vdl.appendChild(h("dt", { text: r[0] })); vdl.appendChild(h("dd", { text: r[1] })); });
  var card;
  var download = h("button", { type: "button", class: "kw-btn kw-btn-solid", text: "Download my summary", onclick: function () { self.downloadSummary(triage, card); } });
  var print = h("button", { type: "button", class: "kw-btn", text: "Print", onclick: function () { self.printSummary(triage); } });
  card = h("article", { class: "kw-card kw-summary", "aria-label": "Your summary for a clinician" }, [
    h("p", { class: "kw-kicker", text: "Summary to show a clinician" }),
    h("h3", { text: "Advice: " + level.label }),
    h("span", { class: "kw-level kw-level-" + (LEVELS[triage.level] ? triage.level : "unknown"), text: level.label }),
    h("p", { text: level.advice }),
    reasons.length ? h("h4", { text: "Why" }) : null,
    reasons.length ? h("ul", null, reasons) : null,
    h("details", { class: "kw-details" }, [h("summary", { text: "Your answers (" + rows.length + ")" }), dl]),
    plan.length ? h("h4", { text: "Exercise plan" }) : null,
    plan.length ? h("ol", null, plan) : null,
    video.length ? h("h4", { text: "Video check" }) : null,
    video.length ? vdl : null,
    h("div", { class: "kw-row" }, [download, print])
  ]);
  return card;
};
KneeWidget.prototype.summaryHtml = function (triage) {
  var self = this;
  return summaryDocument(triage, { clinicName: this.config.clinicName, exerciseName: function (id) { return self.exerciseName(id); } });
};
/** The token that opens this conversation's summary PDF: the summary's own link, else a
    still valid upload link (both are the conversation's signed token). */
KneeWidget.prototype.summaryToken = function () {
  var link = this.pdfLink;
  if (link && link.token && (!link.expires_at || link.expires_at * 1000 > Date.now() + 5000)) return link.token;
  return this.tokenValid() ? this.upload.token : null;
};
/** Downloads the clinician PDF the server makes of the latest assessment; if it cannot be
    fetched, the summary as a web page instead, with a note saying so. */
KneeWidget.prototype.downloadSummary = function (triage, card) {
  var self = this;
  var token = this.summaryToken();
  var url = this.resolveUrl((this.pdfLink && this.pdfLink.url) || SUMMARY_PDF_PATH);
  if (!token || !url || typeof window.fetch !== "function") { this.downloadHtmlSummary(triage, card); return; }
  if (card) card.setAttribute("aria-busy", "true");
  window.fetch(url, { headers: { "X-Upload-Token": token }, cache: "no-store", credentials: "omit" })
    .then(function (response) {
      if (!response.ok || !/^application\/pdf/.test(response.headers.get("Content-Type") || "")) throw new Error("no pdf (" + response.status + ")");
      var named = /filename="([\w.-]+\.pdf)"/.exec(response.headers.get("Content-Disposition") || "");
      return response.blob().then(function (blob) { self.saveFile(blob, named ? named[1] : "knee-summary-" + today() + ".pdf"); });
    })
    .catch(function () { self.downloadHtmlSummary(triage, card); })
    .then(function () { if (card) card.removeAttribute("aria-busy"); });
};
KneeWidget.prototype.downloadHtmlSummary = function (triage, card) {
  this.saveFile(new Blob([this.summaryHtml(triage)], { type: "text/html;charset=utf-8" }), "knee-summary-" + today() + ".html");
  if (!card) return;
  var old = card.querySelector(".kw-download-note");
  if (old) old.remove();
  var note = h("p", { class: "kw-note kw-download-note", role: "status", text: "The printable PDF couldn't be fetched just now, so your summary was saved as a web page instead. You can print that page." });
  card.appendChild(note);
  if (note.scrollIntoView) note.scrollIntoView({ block: "nearest" });
};
KneeWidget.prototype.saveFile = function (blob, name) {
  var url = URL.createObjectURL(blob);
  var a = h("a", { href: url, download: name, hidden: true });
  this.root.appendChild(a);
  a.click();
  a.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
};
KneeWidget.prototype.printSummary = function (triage) {
  var win = window.open("", "_blank");
  if (!win) { this.downloadHtmlSummary(triage); return; }
  win.document.open();
  win.document.write(this.summaryHtml(triage));
  win.document.close();
  win.focus();
  setTimeout(function () { try { win.print(); } catch (e) { /* the page has its own print button */ } }, 300);
};

/* ---------------------------------------------------------------- analysis progress */

var ANALYSIS_TEXT = {
  queued: "Your video is waiting for its turn to be analysed…",
  running: "Analysing your video…",
  done: "Analysis finished.",
  failed: "The analysis of your video didn't work out."
};
KneeWidget.prototype.renderAnalysis = function (analysis, t, replay) {
  var id = analysis.job_id || "current";
  var box = this.analysisEls[id];
  if (!box) {
    box = { el: h("div", { class: "kw-progress-box kw-analysis", role: "status", "data-job": id }) };
    box.label = h("p");
    box.fill = h("span");
    box.bar = h("div", { class: "kw-bar", role: "progressbar", "aria-label": "Video analysis progress", "aria-valuemin": "0", "aria-valuemax": "100" }, [box.fill]);
    box.el.appendChild(box.label);
    box.el.appendChild(box.bar);
    this.analysisEls[id] = box;
    this.log.appendChild(box.el);
  }
  clearInterval(box.timer);
  var status = analysis.status || "running";
  box.status = status;
  box.el.className = "kw-progress-box kw-analysis" + (status === "failed" ? " kw-error" : status === "done" ? " kw-ok" : "");
  box.el.setAttribute("data-status", status);
  var eta = Number(analysis.eta_s) || 0;
  var started = t || Date.now();
  var update = function () {
    var text = ANALYSIS_TEXT[status] || humanise(status);
    box.bar.hidden = status === "failed";
    if (status === "done") {
      box.bar.classList.remove("kw-indeterminate");
      box.fill.style.width = "100%";
      box.bar.setAttribute("aria-valuenow", "100");
    } else if ((status === "running" || status === "queued") && eta > 0) {
      var elapsed = (Date.now() - started) / 1000;
      var left = Math.max(0, eta - elapsed);
      var pct = Math.min(95, Math.round(100 * elapsed / eta));
      text += left > 0 ? " About " + formatSeconds(left) + " left." : " Almost there — it's taking a little longer than expected.";
      box.bar.classList.remove("kw-indeterminate");
      box.fill.style.width = pct + "%";
      box.bar.setAttribute("aria-valuenow", String(pct));
    } else if (status !== "failed") {
      box.bar.classList.add("kw-indeterminate");
      box.bar.removeAttribute("aria-valuenow");
    }
    if (box.label.textContent !== text) box.label.textContent = text;
  };
  update();
  if (status === "running" || status === "queued") box.timer = setInterval(update, 1000);
};
/** Findings pictures of a job mean its analysis is finished, even if no "done" status came. */
KneeWidget.prototype.markAnalysesDone = function () {
  var self = this;
  Object.keys(this.analysisEls).forEach(function (id) {
    var box = self.analysisEls[id];
    if (box.status === "running" || box.status === "queued") self.renderAnalysis({ job_id: id, status: "done" });
  });
};

/* ---------------------------------------------------------------- video */

KneeWidget.prototype.setupDrop = function () {
  var self = this, depth = 0;
  var hasFiles = function (e) { return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0; };
  this.panel.addEventListener("dragenter", function (e) { if (!hasFiles(e)) return; e.preventDefault(); depth++; self.dropZone.hidden = false; });
  this.panel.addEventListener("dragover", function (e) { if (!hasFiles(e)) return; e.preventDefault(); e.dataTransfer.dropEffect = "copy"; });
  this.panel.addEventListener("dragleave", function () { depth = Math.max(0, depth - 1); if (!depth) self.dropZone.hidden = true; });
  this.panel.addEventListener("drop", function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    self.dropZone.hidden = true;
    var file = e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) self.handleFile(file);
  });
};
function fileType(file) {
  if (file.type) return file.type.toLowerCase();
  var ext = (/\.([a-z0-9]+)$/i.exec(file.name || "") || [])[1];
  return ext ? EXTENSION_TYPES[ext.toLowerCase()] || "" : "";
}
/** Reads the clip's duration with the browser's own decoder; null when it can't tell. */
function readDuration(file) {
  return new Promise(function (resolve) {
    var video = document.createElement("video");
    var url = URL.createObjectURL(file);
    var done = function (value) { clearTimeout(timer); URL.revokeObjectURL(url); video.removeAttribute("src"); resolve(value); };
    var timer = setTimeout(function () { done(null); }, 8000);
    video.preload = "metadata";
    video.muted = true;
    video.onloadedmetadata = function () { done(isFinite(video.duration) && video.duration > 0 ? video.duration : null); };
    video.onerror = function () { done(null); };
    video.src = url;
  });
}
KneeWidget.prototype.acceptTypes = function () {
  return (this.upload && Array.isArray(this.upload.accept) && this.upload.accept.length) ? this.upload.accept : DEFAULT_ACCEPT;
};
KneeWidget.prototype.maxBytes = function () {
  return (this.upload && Number(this.upload.max_bytes)) || this.config.maxVideoBytes;
};
KneeWidget.prototype.tokenValid = function () {
  return !!(this.upload && this.upload.token && (!this.upload.expires_at || this.upload.expires_at * 1000 > Date.now() + 15000));
};

/** A progress box for one file in the log: {el, label, detail, bar, fill, actions}. */
KneeWidget.prototype.uploadBox = function (file) {
  var box = { el: h("div", { class: "kw-progress-box kw-upload", role: "status" }) };
  box.label = h("p", { text: "Checking your video…" });
  box.detail = h("p", { class: "kw-plain", text: file.name + " (" + formatBytes(file.size) + ")" });
  box.fill = h("span");
  box.bar = h("div", { class: "kw-bar kw-indeterminate", role: "progressbar", "aria-label": "Upload progress", "aria-valuemin": "0", "aria-valuemax": "100" }, [box.fill]);
  box.actions = h("div", { class: "kw-row" });
  box.el.appendChild(box.label);
  box.el.appendChild(box.detail);
  box.el.appendChild(box.bar);
  box.el.appendChild(box.actions);
  this.log.appendChild(box.el);
  this.scrollToEnd();
  return box;
};
KneeWidget.prototype.setActions = function (box, buttons) {
  var self = this;
  box.actions.textContent = "";
  buttons.forEach(function (b) {
    box.actions.appendChild(h("button", { type: "button", class: "kw-btn kw-btn-small" + (b.solid ? " kw-btn-solid" : ""), text: b.label, onclick: b.run }));
  });
};
KneeWidget.prototype.fail = function (box, text, options) {
  var self = this;
  options = options || {};
  box.el.className = "kw-progress-box kw-upload kw-error";
  box.el.setAttribute("data-state", "error");
  box.el.setAttribute("role", "alert");
  box.label.textContent = text;
  box.bar.hidden = true;
  var buttons = [];
  if (options.retry) buttons.push({ label: "Try again", solid: true, run: function () { box.el.remove(); self.startUpload(options.file); } });
  buttons.push({ label: "Choose another video", solid: !options.retry, run: function () { box.el.remove(); self.fileInput.click(); } });
  this.setActions(box, buttons);
  this.pending = null;
  this.scrollToEnd();
  var first = box.actions.querySelector("button");
  if (first && this.panel.contains(this.root.activeElement)) first.focus();
};
KneeWidget.prototype.handleFile = function (file) {
  var self = this;
  if (this.panel.hidden) this.open(true);
  if (this.pending && this.pending.xhr) this.pending.xhr.abort();
  var box = this.uploadBox(file);
  var type = fileType(file);
  var accept = this.acceptTypes();
  if (accept.indexOf(type) < 0) {
    var start = type.split("/")[0] === "video" ? "That video format can't be analysed." : "“" + file.name + "” isn't a video.";
    this.fail(box, start + " Please send a video in MP4, MOV or WebM format — the kind a phone camera records.", { file: file });
    return;
  }
  if (file.size > this.maxBytes()) {
    this.fail(box, "That video is " + formatBytes(file.size) + "; the limit is " + formatBytes(this.maxBytes()) + ". Please trim it to " + this.config.maxVideoSeconds + " seconds or less, or film at a lower resolution.", { file: file });
    return;
  }
  if (file.size === 0) { this.fail(box, "That file is empty. Please choose the video again.", { file: file }); return; }
  readDuration(file).then(function (duration) {
    if (duration !== null && duration > self.config.maxVideoSeconds + 0.5) {
      self.fail(box, "That clip is " + formatSeconds(duration) + " long. Please trim it to " + self.config.maxVideoSeconds + " seconds or less: 10 to 20 seconds of running or 5 squats is plenty.", { file: file });
      return;
    }
    if (duration !== null && duration < self.config.minVideoSeconds) {
      self.fail(box, "That clip is only " + formatSeconds(duration) + " long. Please film at least " + self.config.minVideoSeconds + " seconds (10 to 20 seconds is best).", { file: file });
      return;
    }
    box.el.remove();
    self.startUpload(file, duration);
  });
};
KneeWidget.prototype.startUpload = function (file, duration) {
  var box = this.uploadBox(file);
  this.pending = { file: file, box: box, duration: duration };
  if (this.tokenValid()) { this.sendFile(this.pending); return; }
  this.requestToken(this.pending);
};
KneeWidget.prototype.requestToken = function (pending) {
  var self = this;
  pending.box.label.textContent = "Getting ready to receive your video…";
  pending.waiting = true;
  this.sendUser(this.config.tokenRequestText, this.config.tokenRequestText);
  clearTimeout(pending.tokenTimer);
  pending.tokenTimer = setTimeout(function () {
    if (self.pending === pending && pending.waiting) {
      self.fail(pending.box, "The assistant isn't ready to receive videos right now. Please try again in a moment.", { retry: true, file: pending.file });
    }
  }, this.config.tokenWaitMs);
};
KneeWidget.prototype.onUploadOffered = function () {
  var pending = this.pending;
  if (pending && pending.waiting) {
    pending.waiting = false;
    clearTimeout(pending.tokenTimer);
    this.sendFile(pending);
  }
};
KneeWidget.prototype.sendFile = function (pending) {
  var self = this, box = pending.box, file = pending.file;
  var url = this.resolveUrl(this.upload.url || "/webhooks/video/upload");
  box.label.textContent = "Uploading your video… 0 %";
  box.bar.classList.remove("kw-indeterminate");
  box.bar.setAttribute("aria-valuenow", "0");
  box.el.setAttribute("data-state", "uploading");
  this.setActions(box, [{ label: "Cancel upload", run: function () { xhr.abort(); } }]);
  var xhr = pending.xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader("X-Upload-Token", this.upload.token);
  xhr.responseType = "text";
  var lastPct = -1;
  xhr.upload.onprogress = function (e) {
    if (!e.lengthComputable) return;
    var pct = Math.min(99, Math.floor(100 * e.loaded / e.total));
    if (pct === lastPct) return;
    lastPct = pct;
    box.fill.style.width = pct + "%";
    box.bar.setAttribute("aria-valuenow", String(pct));
    box.label.textContent = "Uploading your video… " + pct + " %";
  };
  xhr.onload = function () {
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (xhr.status >= 200 && xhr.status < 300) { self.uploadDone(pending, body || {}); return; }
    var code = body && body.error;
    var message = body && typeof body.message === "string" ? body.message : null;
    // a link that has taken its UPLOAD_TOKEN_MAX_USES videos is replaced like an expired one
    if (code === "token_invalid" || code === "token_expired" || code === "token_used_up" || xhr.status === 401) {
      self.upload = null;
      self.store.saveToken(null);
      if (!pending.retriedToken) {
        pending.retriedToken = true;
        self.requestToken(pending);
        return;
      }
      self.fail(box, message || "The upload link has expired.", { retry: true, file: file });
      return;
    }
    if (xhr.status === 413 || code === "too_large") { self.fail(box, message || "That video is too large to send.", { file: file }); return; }
    if (code === "conversation_limit") { self.fail(box, message || "You've sent as many videos as I can take for now.", { file: file }); return; }
    if (xhr.status === 415 || code === "not_a_video") { self.fail(box, message || "That file doesn't look like a video I can read.", { file: file }); return; }
    self.fail(box, (message || "The upload didn't work (error " + xhr.status + ").") + " Your answers are safe.", { retry: true, file: file });
  };
  xhr.onerror = function () { self.fail(box, "The upload failed: the connection to the assistant dropped. Check your connection and try again.", { retry: true, file: file }); };
  xhr.onabort = function () { self.fail(box, "Upload cancelled.", { retry: true, file: file }); };
  var form = new FormData();
  form.append("video", file, file.name || "video.mp4");
  xhr.send(form);
};
KneeWidget.prototype.uploadDone = function (pending, body) {
  var self = this, box = pending.box;
  box.el.className = "kw-progress-box kw-upload kw-ok";
  box.el.setAttribute("data-state", "done");
  box.fill.style.width = "100%";
  box.bar.setAttribute("aria-valuenow", "100");
  box.label.textContent = "Video sent.";
  this.setActions(box, []);
  this.pending = null;
  box.el.remove();
  this.addEntry({ who: "user", msg: { video: pending.file.name + (pending.duration ? " (" + formatSeconds(pending.duration) + ")" : "") } });
  this.refreshReplies();
  (Array.isArray(body.messages) ? body.messages : []).forEach(function (m) { self.onBotMessage(m); });
};

/* ---------------------------------------------------------------- restart */

KneeWidget.prototype.askRestart = function () {
  this.confirmBox.hidden = false;
  this.confirmBox.querySelector("button").focus();
};
KneeWidget.prototype.restart = function () {
  this.confirmBox.hidden = true;
  if (this.pending && this.pending.xhr) this.pending.xhr.abort();
  this.pending = null;
  this.upload = null;
  this.store.saveToken(null);
  this.state = { sessionId: randomId(), history: [], open: true, pending: [], replied: {} };
  this.inFlight = null;
  this.save();
  this.renderHistory();
  if (this.socket) {
    this.ready = false;
    this.socket.emit("session_request", { session_id: this.state.sessionId });
  }
  this.input.focus();
};

/* ---------------------------------------------------------------- start */

var previous = document.querySelector("[data-knee-widget]");
if (!previous) {
  var start = function () {
    var widget = new KneeWidget(readConfig());
    var original = widget.onBotMessage;
    widget.onBotMessage = function (raw) {
      original.call(widget, raw);
      var msg = normaliseBotMessage(raw);
      if (msg && msg.image) widget.markAnalysesDone();
    };
    window.KneeWidget = {
      version: VERSION,
      open: function () { widget.open(true); },
      close: function () { widget.close(); },
      send: function (text) { widget.sendUser(text, text); },
      sessionId: function () { return widget.state.sessionId; },
      /* for tests: drop the connection as a network failure would, then let it reconnect */
      /* for tests: handle a payload as if the bot had sent it */
      _receive: function (message) { widget.onBotMessage(message); },
      _dropConnection: function () { if (widget.socket && widget.socket.io.engine) widget.socket.io.engine.close(); },
      /* for tests: how many messages wait for the server's acknowledgement */
      _pending: function () { return widget.state.pending.length; },
      _internals: { accessiblePrimary: accessiblePrimary, contrastRatio: contrastRatio, parseColor: parseColor, answerRows: answerRows, summaryDocument: summaryDocument }
    };
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
}
