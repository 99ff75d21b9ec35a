// A scripted stand-in for Rasa's socket.io channel and video upload endpoint, speaking the same
// protocol (session_request/session_confirm, user_uttered/bot_uttered, rooms per session, the
// upload contract of docs/video_flow.md). It lets the widget's rendering and error paths be
// tested in seconds; tests against the real Rasa stack are in real_stack.test.mjs.
//
// Like our socket.io channel (rasa_project/connectors/socketio_channel.py), a message with a
// `message_id` is run once: its replies carry `reply_to`/`reply_index`, the acknowledgement
// comes when its turn is over, and a copy (sent again after a lost connection) waits for the
// first run and gets its replies again instead of a second turn. `control` plays an instance
// dying: `dieOnNext` closes the connection on the next message before running it (nothing
// saved), `dropBeforeAck` closes it after the next turn, before its acknowledgement;
// `ignoreNext` drops the next message unanswered, connection kept (a page reloaded meanwhile);
// `failNext` acknowledges the next message "failed" without running it (its turn raised).
import { createServer } from "node:http";
import { deflateSync } from "node:zlib";
import { Server } from "socket.io";

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
/** A small PNG (a blue square with a diagonal) made here, so no file is needed. */
function png(size = 120) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const on = Math.abs(x - y) < 4;
      row[1 + x * 3] = on ? 250 : 40; row[2 + x * 3] = on ? 200 : 90; row[3 + x * 3] = on ? 40 : 160;
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

export const SUMMARY = {
  triage: {
    schema_version: 1, level: "clinician",
    reasons: [
      { id: "recurrent_swelling", level: "clinician", text: "Your knee swells after running." },
      { id: "load_spike", level: "self_care", text: "Your weekly distance went up by about 75 %." },
    ],
    answers: {
      side: "right", location: "inner_surface", onset: "gradual", injury: "none", distance_before_km: 32.2,
      distance_now_km: 56.3, load_increase_pct: 75.0, stated_change_pct: null, weeks_since_change: 3, swelling: true,
      red_flags: [], symptoms: [], pain_triggers: ["after_runs", "stairs"], pain_score: 5, settles_by_next_day: null,
      pain_duration_weeks: null, load_reduced: null, tried: ["exercises"], tried_outcome: "worse", age_band: null,
      limp: null, self_test_hip: null, self_test_foot: null, tried_exercises: ["mini squats"], consent: true,
    },
    plan: ["side_lying_hip_abduction", "clamshell"],
    video: {  // the shape actions/video_findings.py video_summary() sends
      job_id: "a".repeat(32), activity: "running", view: "side", usable: true, counted: "14 steps",
      measures_in_words: [
        { measure: "cadence_spm", label: "Step rate (cadence)", value: "158 steps/min", typical: "165 steps/min or more", confidence: "high", severity: "mild" },
        { measure: "knee_flexion_at_contact_deg", label: "Knee bend at landing", value: "left 12°, right 17°", typical: "15° or more", confidence: "low", severity: "mild" },
      ],
      measures: { cadence_spm: { value: 158.0, unit: "steps/min", confidence: "high", spread_iqr: 2.1 } },
      findings: [{ id: "cadence_spm", measure: "cadence_spm", side: null, severity: "mild", contributor: "form", confidence: "high" }],
      images: ["/webhooks/video/media/" + "a".repeat(32) + "/plot_knee_flexion.png"],
    },
  },
};
/** The summary PDF's link as actions/uploads.py summary_pdf_link() adds it to the summary message. */
const PDF_LINK = (token) => ({ url: "/webhooks/summary/pdf", token, expires_at: Math.floor(Date.now() / 1000) + 1800 });
const FAKE_PDF = Buffer.from("%PDF-1.4\n% a stand-in for the clinician summary\n%%EOF\n");
export const EXERCISE = {
  exercise: {
    id: "clamshell", name: "Clamshell", contributor: "hip_control", how_to: "Lie on your side with knees bent; open the top knee like a shell.",
    dosage: "3 sets of 15, every other day", progression: "Add a loop band above the knees.", cue: "Keep your pelvis still.",
    source: "See https://example.org/clamshell for the study.", aliases: [],
  },
};

export async function startFakeBot() {
  const image = png();
  const tokens = new Set();
  let server, io;
  const sessions = new Map();   // token -> session_id
  const pdfTokens = new Set(["tok-pdf"]);
  const pdfRequests = [];       // the token of each PDF request (null: none)
  const handler = (req, res) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "X-Upload-Token, Content-Type", "Access-Control-Allow-Methods": "POST, GET, OPTIONS" };
    if (req.method === "OPTIONS") { res.writeHead(204, cors); res.end(); return; }
    if (req.url.startsWith("/webhooks/video/media/")) { res.writeHead(200, { ...cors, "Content-Type": "image/png" }); res.end(image); return; }
    if (req.url === "/webhooks/summary/pdf" && req.method === "GET") {
      // the contract of rasa_project/connectors/summary_pdf.py, with a stand-in document
      const token = req.headers["x-upload-token"];
      pdfRequests.push(token || null);
      if (!pdfTokens.has(token)) { res.writeHead(401, { ...cors, "Content-Type": "application/json" }); res.end(JSON.stringify({ error: "token_invalid", message: "This link isn't valid." })); return; }
      res.writeHead(200, { ...cors, "Content-Type": "application/pdf", "Cache-Control": "private, no-store", "Content-Disposition": 'attachment; filename="knee-summary-2026-11-30.pdf"' });
      res.end(FAKE_PDF);
      return;
    }
    if (req.url === "/webhooks/video/upload" && req.method === "POST") {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("latin1");
        const token = req.headers["x-upload-token"];
        const reply = (status, obj) => { res.writeHead(status, { ...cors, "Content-Type": "application/json" }); res.end(JSON.stringify(obj)); };
        if (!tokens.has(token)) return reply(401, { error: "token_invalid", message: "That upload link isn't valid any more." });
        if (token === "tok-fail") return reply(500, { error: "server", message: "Something went wrong on our side." });
        const part = /Content-Type: (\S+)/i.exec(body.split("\r\n\r\n")[0] + "\r\n" + body.slice(0, 500));
        if (!part || !part[1].startsWith("video/") || !/ftyp|webm|\x1aE\xdf\xa3/.test(body.slice(0, 2000))) {
          return reply(415, { error: "not_a_video", message: "That file isn't a video I can read. Please send an MP4, MOV or WebM clip." });
        }
        const session = sessions.get(token);
        const jobId = "a".repeat(32);
        reply(200, { video_id: "b".repeat(32), messages: [
          { recipient_id: session, text: "Got it — analysing your video now. That takes about 3 seconds." },
          { recipient_id: session, custom: { analysis: { status: "running", job_id: jobId, eta_s: 3 } } },
        ] });
        setTimeout(() => {
          io.to(session).emit("bot_uttered", { text: "Here is what I measured in your running video:" });
          io.to(session).emit("bot_uttered", { attachment: { type: "image", payload: { src: `/webhooks/video/media/${jobId}/knee_angle.png` } } });
          io.to(session).emit("bot_uttered", { analysis: { status: "done", job_id: jobId } });
        }, 1500);
      });
      return;
    }
    res.writeHead(404); res.end();
  };
  server = createServer(handler);
  io = new Server(server, { cors: { origin: "*" } });
  let tokenCount = 0;
  const control = { dieOnNext: false, dropBeforeAck: false, ignoreNext: false, failNext: false };
  const turns = new Map();      // "session:message_id" -> promise of the turn's tagged replies
  const ran = [];               // the text of every turn run, in order
  io.on("connection", (socket) => {
    socket.on("session_request", (data) => {
      const id = (data && data.session_id) || Math.random().toString(16).slice(2);
      socket.join(id);
      socket.emit("session_confirm", id);
    });
    socket.on("user_uttered", (data, ack) => {
      const room = data.session_id, m = String(data.message);
      const id = typeof data.message_id === "string" ? data.message_id : null;
      const key = id && `${room}:${id}`;
      const acknowledge = (status) => { if (typeof ack === "function") ack({ message_id: id, status }); };
      if (key && turns.has(key)) {
        turns.get(key).then((replies) => {
          replies.forEach((reply) => socket.emit("bot_uttered", reply));
          acknowledge("already_handled");
        });
        return;
      }
      if (control.dieOnNext) { control.dieOnNext = false; socket.conn.close(); return; }
      if (control.ignoreNext) { control.ignoreNext = false; return; }
      if (control.failNext) { control.failNext = false; acknowledge("failed"); return; }
      ran.push(m);
      const replies = [], emitted = [];
      // a reply of this turn (tagged when the message has an id); the turn is over once all are out
      const say = (msg, delay = 150) => {
        const reply = id ? { ...msg, reply_to: id, reply_index: replies.length } : msg;
        replies.push(reply);
        emitted.push(new Promise((resolve) => setTimeout(() => { io.to(room).emit("bot_uttered", reply); resolve(); }, delay)));
      };
      // a later push (a worker's findings): not part of the turn
      const push = (msg, delay) => setTimeout(() => io.to(room).emit("bot_uttered", msg), delay);
      if (m === "hi") say({ text: "Hello! May I ask you a few questions about your knee?", quick_replies: [{ content_type: "text", title: "Yes, let's start", payload: "/affirm" }, { content_type: "text", title: "No thanks", payload: "/deny" }] });
      else if (m === "/affirm") say({ text: "Which knee hurts?", quick_replies: [{ title: "Left", payload: '/inform{"side": "left"}' }, { title: "Right", payload: '/inform{"side": "right"}' }] });
      else if (m.startsWith("/inform")) say({ text: "Thanks. Read more at https://example.org/knee. <b>not bold</b> <img src=x onerror=alert(1)>" });
      else if (m === "summary please") { say({ text: "Here is your summary." }); say({ ...SUMMARY, pdf: PDF_LINK("tok-pdf") }, 250); say(EXERCISE, 300); }
      else if (m === "summary with a stale link") say({ ...SUMMARY, pdf: PDF_LINK("tok-stale") }, 150);
      else if (m === "I'd like to send a video") {
        const token = m && tokenCount++ === 0 && data.session_id && process.env.FAKE_FIRST_TOKEN_FAILS ? "tok-fail" : "tok-" + tokenCount;
        tokens.add(token); sessions.set(token, room);
        say({ text: "Sure — attach your clip with the paperclip." });
        say({ upload: { url: "/webhooks/video/upload", token, expires_at: Math.floor(Date.now() / 1000) + 1800, max_bytes: 209715200, accept: ["video/mp4", "video/quicktime", "video/webm"] } }, 200);
      } else if (m === "push later") {  // a turn of 400 ms that answers nothing now, and a push later
        emitted.push(new Promise((resolve) => setTimeout(resolve, 400)));
        push({ text: "A message pushed 3 seconds later." }, 3000);
      }
      else say({ text: `Echo: ${m}` });
      const turn = Promise.all(emitted).then(() => replies);
      if (key) turns.set(key, turn);
      turn.then(() => {
        if (control.dropBeforeAck) { control.dropBeforeAck = false; socket.conn.close(); return; }
        acknowledge("handled");
      });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, io, pdfRequests, control, ran, stop: () => new Promise((r) => { io.close(); server.close(() => r()); }) };
}
