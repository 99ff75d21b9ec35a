"""``make cluster`` for real: nginx in front of two Rasa instances, two action servers and
two RQ workers, on PostgreSQL and Redis, started by ``scripts/launch.py cluster`` on free
ports with its own var folder, database, Redis database and queue
(``tests/e2e/cluster_stack.py``).

Checks, all through nginx's public port unless said otherwise: Rasa's HTTP API is refused;
a REST conversation works; it continues after ``kill -9`` of the Rasa instance that served
it; a push made on the *other* instance (its private port, as a worker would) reaches a
socket.io client connected through nginx; a web widget message in flight on a killed
instance is sent again by the widget and answered once by the other, and one sent again
while the first copy still runs on a live instance waits for it; a video job runs on RQ
and its findings reach the conversation. Skipped, with the reason, without nginx,
PostgreSQL or Redis.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cluster_stack import Cluster, missing_services, running_cluster
from tests.e2e.rest_runner import Runner, asked
from tests.e2e.stack import RASA_PYTHON, REPO
from tests.e2e.test_video_flow import FINDINGS_INTRO, TREADMILL, upload, upload_token
from tests.processes import alive, children, parent
from tests.store.fixtures import write_clip

pytestmark = pytest.mark.e2e
SOCKETIO_RUNNER = REPO / "tests" / "e2e" / "socketio_runner.py"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    reason = missing_services()
    if reason:
        pytest.skip(reason)
    with running_cluster() as running:
        yield running


def _status(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_rasa_api_routes_are_refused_at_the_public_port(cluster: Cluster) -> None:
    token = f"?token={cluster.env['RASA_TOKEN']}"
    for path in ("/conversations/x/tracker", "/model", "/status", "/domain", "/version"):
        assert _status(cluster.url + path) in (403, 404), path
        assert _status(cluster.url + path + token) in (403, 404), path  # not even with it
    assert _status(cluster.url + "/conversations/x/tracker/events", "POST") in (403, 404)
    assert _status(cluster.url + "/model", "PUT") in (403, 404, 405)
    assert _status(cluster.url + "/") == 200 and _status(cluster.url + "/widget.js") == 200
    # the instances themselves still lock their API
    assert _status(f"http://127.0.0.1:{cluster.rasa_ports[0]}/status") == 401


class SocketClient:
    """``tests/e2e/socketio_runner.py`` (Rasa's environment has python-socketio) as the
    browser: connected through nginx with the polling transport, JSON lines out; with
    ``widget``, reconnecting and sending again as the web widget does."""

    def __init__(self, url: str, session_id: str, widget: bool = False) -> None:
        self.process = subprocess.Popen(
            [str(RASA_PYTHON), str(SOCKETIO_RUNNER), url, session_id,
             *(["--widget"] if widget else [])], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: [self.lines.put(json.loads(line)) for line in stdout],
                         daemon=True).start()

    def next(self, timeout_s: float = 30) -> dict[str, Any]:
        return self.lines.get(timeout=timeout_s)

    def say(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def drain(self, quiet_s: float = 3) -> list[dict[str, Any]]:
        found = []
        while True:
            try:
                found.append(self.lines.get(timeout=quiet_s))
            except queue.Empty:
                return found

    def until_acked(self, timeout_s: float = 90) -> list[dict[str, Any]]:
        """The lines up to and including the next acknowledgement (``--widget``)."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while not found or "acked" not in found[-1]:
            found.append(self.next(max(0.1, deadline - time.monotonic())))
        return found

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_a_push_on_the_other_instance_reaches_the_socket(cluster: Cluster) -> None:
    session = uuid.uuid4().hex
    client = SocketClient(cluster.url, session)
    try:
        assert client.next() == {"joined": session}
        client.say("hi")
        assert client.drain(), "no reply through nginx"
        served = cluster.last_upstream()
        other = next(port for port in cluster.rasa_ports if port != served)
        cluster.api("POST", f"/conversations/{session}/trigger_intent?output_channel=latest",
                    port=other, body={"name": "greet"})
        pushed = client.drain()
        assert pushed and all("text" in p or "custom" in p or "quick_replies" in p
                              for p in pushed), cluster.log_tail("rasa-1")
    finally:
        client.close()


def _runner_who_sent_a_clip(cluster: Cluster, tmp_path: Path) -> Runner:
    """A runner who agreed to start and uploaded 150 frames of the treadmill clip."""
    if not TREADMILL.is_file():
        pytest.skip(f"shared test footage not found at {TREADMILL}")
    runner = Runner(cluster.url)
    runner.say("hi")
    runner.say("yes")
    clip = write_clip(TREADMILL, tmp_path / "short.mp4", max_frames=150)
    status, answer = upload(cluster.url, upload_token(cluster.url, runner.sender), clip)
    assert status == 200, answer
    return runner


def test_a_video_job_runs_on_rq_and_its_findings_reach_the_conversation(
        cluster: Cluster, tmp_path: Path) -> None:
    runner = _runner_who_sent_a_clip(cluster, tmp_path)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        texts = [e.get("text") or "" for e in cluster.events(runner.sender)
                 if e["event"] == "bot"]
        if any(FINDINGS_INTRO in text for text in texts):
            break
        time.sleep(2)
    else:
        raise AssertionError("no findings; " + cluster.log_tail("worker-1")
                             + cluster.log_tail("worker-2"))
    rq_logs = cluster.log_tail("worker-1") + cluster.log_tail("worker-2")
    assert cluster.env["RQ_QUEUE"] in rq_logs, "the RQ workers listen on the test's queue"


def test_a_worker_killed_mid_analysis_loses_nothing(cluster: Cluster, tmp_path: Path) -> None:
    """kill -9 of the RQ worker running a clip's analysis, its work horse and the analysis
    child (a worker host or container dying): a surviving worker's housekeeping re-queues
    the job within 1.5 × WORKER_STALE_S (default 20 s), the other worker runs it, and the
    findings reach the conversation exactly once. (Killing only the worker's main process
    loses nothing either: RQ's work horse has its own process group and finishes the job.)"""
    import psycopg2

    runner = _runner_who_sent_a_clip(cluster, tmp_path)
    database = psycopg2.connect(cluster.env["DATABASE_URL"].replace("+psycopg2", ""))
    database.autocommit = True

    def job() -> tuple[str, str, int, str | None]:
        with database.cursor() as cursor:
            cursor.execute("SELECT id, status, attempts, worker_id FROM analysis_jobs "
                           "WHERE conversation_id = %s", (runner.sender,))
            return cursor.fetchone() or ("", "none", 0, None)

    deadline = time.monotonic() + 60
    while (row := job())[1] != "running" or not children(int(str(row[3]).split(":")[2])):
        assert time.monotonic() < deadline and row[1] in ("none", "queued", "running"), row
        time.sleep(0.2)
    time.sleep(2)  # mid-analysis
    horse = int(str(row[3]).split(":")[2])  # the worker id names the work horse's pid
    main = parent(horse)
    assert main in (cluster.pid("worker-1"), cluster.pid("worker-2"))
    for pid in (main, horse, *children(horse)):
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    while (after := job())[1] != "done":
        assert after[1] in ("running", "queued"), after
        assert time.monotonic() - killed < 90, f"not re-run in time: {after}"
        time.sleep(1)
    assert after[2] == 2, "run once more, on the live worker"

    def findings() -> int:
        return sum(FINDINGS_INTRO in (e.get("text") or "")
                   for e in cluster.events(runner.sender) if e["event"] == "bot")

    while not findings():
        assert time.monotonic() - killed < 100, "no findings"
        time.sleep(1)
    time.sleep(5)  # a second notice would have arrived by now
    assert findings() == 1, "findings exactly once"
    database.close()


def _both_rasa_up(cluster: Cluster, timeout_s: float = 180) -> None:
    """Waits until no Rasa instance is kept out of nginx's upstreams (a restarted one loads)."""
    conf = cluster.var / "nginx" / "nginx.conf"
    deadline = time.monotonic() + timeout_s
    while " down;" in conf.read_text():
        assert time.monotonic() < deadline, "a Rasa instance did not come back"
        time.sleep(0.5)


def _serving(ports: tuple[int, ...]) -> list[int]:
    """The ports among ``ports`` with an established connection (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        port = int(local.rsplit(":", 1)[1], 16)
        if state == "01" and port in ports:
            found.add(port)
    return sorted(found)


def test_a_message_in_flight_on_a_killed_rasa_is_answered_by_the_other(
        cluster: Cluster) -> None:
    """kill -9 of the instance handling a message: nginx sends it once more to the other
    instance, which answers it from the same state (no 502, no lost or doubled message)."""
    import redis

    _both_rasa_up(cluster)
    runner = Runner(cluster.url)
    runner.say("hi")
    assert runner.asked == ["consent"]
    # hold the conversation's lock as a third instance would, so that the next message
    # stays in flight on whichever instance nginx gives it to
    red = redis.Redis.from_url(cluster.env["REDIS_URL"])
    red.set("lock-owner:e2e-holder", "1", ex=60)
    red.set(f"lock:{runner.sender}", json.dumps({"conversation_id": runner.sender, "tickets": [
        json.dumps({"number": 0, "expires": time.time() + 60, "owner": "e2e-holder",
                    "id": "e2e"})]}), ex=60)
    answer: dict[str, Any] = {}

    def send() -> None:
        start = time.monotonic()
        try:
            answer["replies"] = runner.say("yes")
        except urllib.error.HTTPError as error:
            answer["status"] = error.code
        answer["seconds"] = time.monotonic() - start

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 10
    while not (busy := _serving(cluster.rasa_ports)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(busy) == 1, f"the message is in flight on one instance: {busy}"
    name = f"rasa-{cluster.rasa_ports.index(busy[0]) + 1}"
    os.kill(cluster.pid(name), signal.SIGKILL)
    time.sleep(0.5)
    red.delete("lock-owner:e2e-holder")  # the holder goes; the killed instance's turn lapses
    sender.join(timeout=60)
    assert "replies" in answer, f"no answer after the kill: {answer}"
    assert answer["seconds"] < 30, "the other instance waited no longer than OWNER_TTL_S"
    assert runner.asked[-1] != "consent", "consent is not asked again"
    users = [e.get("text") for e in cluster.events(runner.sender) if e["event"] == "user"]
    assert users == ["hi", "yes"], "the message was handled once, from the same state"
    _both_rasa_up(cluster)


def _replies_to(lines: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("reply_to") == message_id]


def _hold_the_lock(red: Any, conversation: str) -> None:
    """Holds the conversation's lock as a third instance would (``e2e-holder``), so that
    its next message stays in flight on whichever instance gets it."""
    red.set("lock-owner:e2e-holder", "1", ex=60)
    red.set(f"lock:{conversation}", json.dumps({"conversation_id": conversation, "tickets": [
        json.dumps({"number": 0, "expires": time.time() + 60, "owner": "e2e-holder",
                    "id": "e2e"})]}), ex=60)


def _claimed(red: Any, conversation: str, message_id: str, timeout_s: float = 10) -> str:
    """Waits until an instance has claimed the message (it is in flight there)."""
    deadline = time.monotonic() + timeout_s
    while not (claim := red.get(f"turn-once:{conversation}:{message_id}")):
        assert time.monotonic() < deadline, "no instance took the message"
        time.sleep(0.05)
    return str(claim.decode())


def test_a_widget_message_in_flight_on_a_killed_rasa_is_sent_again_and_answered_once(
        cluster: Cluster) -> None:
    """kill -9 of the instance running a widget message's turn (its socket with it): the
    widget reconnects through nginx to the other instance and sends the message again with
    the same id; the other instance waits until the dead one's heartbeat key expired, finds
    the turn unsaved, runs it once and acknowledges it (issue 14)."""
    import redis

    _both_rasa_up(cluster)
    red = redis.Redis.from_url(cluster.env["REDIS_URL"])
    session = uuid.uuid4().hex
    client = SocketClient(cluster.url, session, widget=True)
    try:
        assert client.next() == {"joined": session}
        client.say("hi")
        first = client.until_acked()
        assert first[-1]["ack"]["status"] == "handled", first
        assert asked(_replies_to(first, first[0]["sent"])) == "consent", first
        served = cluster.last_upstream()  # ip_hash: the socket's instance
        _hold_the_lock(red, session)
        client.say("yes")
        sent = client.next()
        assert sent["resend"] is False
        message_id = sent["sent"]
        assert _claimed(red, session, message_id).startswith("run:")
        name = f"rasa-{cluster.rasa_ports.index(served) + 1}"
        os.kill(cluster.pid(name), signal.SIGKILL)
        killed = time.monotonic()
        time.sleep(0.5)
        red.delete("lock-owner:e2e-holder")  # the holder goes; the killed instance's turn lapses
        lines = client.until_acked()
        waited = time.monotonic() - killed
    finally:
        client.close()
    assert {"disconnected": True} in lines and {"joined": session} in lines, lines
    assert {"sent": message_id, "resend": True} in lines, "sent again after reconnecting"
    assert lines[-1] == {"acked": message_id,
                         "ack": {"message_id": message_id, "status": "handled"}}, lines
    assert waited < 40, f"answered {waited:.0f} s after the kill"
    replies = _replies_to(lines, message_id)
    assert replies, lines
    indexes = [r["reply_index"] for r in replies]
    assert indexes == list(range(len(indexes))), f"each reply once: {indexes}"
    assert asked(replies) != "consent", "consent is not asked again"
    users = [e for e in cluster.events(session) if e["event"] == "user"]
    assert [u.get("text") for u in users] == ["hi", "yes"], "handled once, from the same state"
    assert users[-1]["message_id"] == message_id
    _both_rasa_up(cluster)


def test_a_widget_message_sent_again_while_it_runs_on_a_live_rasa_waits_for_it(
        cluster: Cluster) -> None:
    """A network blip, not a death: the first copy is in flight on one instance when the
    widget's second copy reaches the other (here straight at its private port). The second
    waits for the live run, is acknowledged without a second turn and gets its replies."""
    import redis

    _both_rasa_up(cluster)
    red = redis.Redis.from_url(cluster.env["REDIS_URL"])
    session = uuid.uuid4().hex
    first = SocketClient(cluster.url, session, widget=True)
    try:
        assert first.next() == {"joined": session}
        first.say("hi")
        assert first.until_acked()[-1]["ack"]["status"] == "handled"
        served = cluster.last_upstream()
        other = next(port for port in cluster.rasa_ports if port != served)
        _hold_the_lock(red, session)
        first.say("yes")
        message_id = first.next()["sent"]
        _claimed(red, session, message_id)
        # the same message from the same browser, through a new connection to the other
        # instance (the runner below sends it with the same id, marked as sent again)
        second = subprocess.Popen(
            [str(RASA_PYTHON), "-c", _SEND_AGAIN, f"http://127.0.0.1:{other}", session,
             message_id], cwd=REPO, stdout=subprocess.PIPE, text=True)
        time.sleep(3)
        assert second.poll() is None, "the copy waits while the first copy runs"
        red.delete("lock-owner:e2e-holder")  # the holder's ticket is void: the first copy runs
        out, _ = second.communicate(timeout=60)
        first_lines = first.until_acked()
    finally:
        first.close()
    copy = json.loads(out.strip().splitlines()[-1])
    assert copy["ack"] == {"message_id": message_id, "status": "already_handled"}, out
    assert copy["replies"] and all(r["reply_to"] == message_id for r in copy["replies"])
    assert first_lines[-1]["ack"]["status"] == "handled"
    users = [e for e in cluster.events(session) if e["event"] == "user"]
    assert [u.get("text") for u in users] == ["hi", "yes"], "one turn"


#: Sends one message with a given id, marked as sent again, on a new socket; prints the
#: acknowledgement and the replies that came with it.
_SEND_AGAIN = """
import json, sys, threading, time, socketio
url, session, message_id = sys.argv[1:4]
client, replies, confirmed = socketio.Client(), [], threading.Event()
client.on("session_confirm", lambda _data: confirmed.set())
client.on("bot_uttered", replies.append)
client.connect(url, transports=["polling"])
client.emit("session_request", {"session_id": session})
confirmed.wait(30)
ack = client.call("user_uttered", {"message": "yes", "session_id": session,
                  "message_id": message_id, "resend": True}, timeout=120)
time.sleep(1)
print(json.dumps({"ack": ack, "replies": replies}))
client.disconnect()
"""


def test_a_conversation_continues_after_kill_9_of_its_rasa(cluster: Cluster) -> None:
    runner = Runner(cluster.url)
    first, served = cluster.served_by(lambda: runner.say("hi"))
    assert first, "no reply through nginx"
    name = f"rasa-{cluster.rasa_ports.index(served) + 1}"
    victim = cluster.pid(name)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 10  # the supervisor notices and restarts it (loading)
    while (alive(victim) or cluster.pid(name) == victim) and time.monotonic() < deadline:
        time.sleep(0.1)
    after, answered = cluster.served_by(lambda: runner.say("yes"))
    assert after, "no reply after the kill"
    assert answered != served
    users = [e.get("text") for e in cluster.events(runner.sender) if e["event"] == "user"]
    assert users[-2:] == ["hi", "yes"], "the same conversation went on on the other instance"
    assert [r.get("text") for r in after] != [r.get("text") for r in first]
    assert cluster.pid(name) != victim, "the supervisor restarts the killed instance"
    # ... and keeps it out of nginx's upstreams while it loads its model
    conf = cluster.var / "nginx" / "nginx.conf"
    deadline = time.monotonic() + 5
    while f"127.0.0.1:{served} max_fails=1 fail_timeout=5s down;" not in conf.read_text():
        assert time.monotonic() < deadline, "the restarted instance is still in the upstreams"
        time.sleep(0.1)


