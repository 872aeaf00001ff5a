"""Helpers shared by the black-box test scripts that run the built `hukou` binary (standard
library only): tests/cases, tests/trust, tests/peers, tests/exchange and tests/documents.

A script imports it relative to its own location, so that it runs from any directory and from
CTest alike:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    import blackbox  # noqa: E402

What it holds:
  - SKIP (77, the exit code CTest reads as "skipped"), PASSWORD (the demo users' password,
    HUKOU_DEMO_PASSWORD or hukou123), PNG (a 2×2 PNG standing for a scanned form), CHARS (ten
    Han characters to make distinct names from numbers);
  - find_hukou: the binary's absolute path, or None after printing the skip message;
  - Checks: counts checks and prints `ok   what` / `FAIL what: got` lines;
  - run_hukou, build_demo: `hukou …` commands, a demo city (`hukou demo`);
  - sqlite_rows, psql, new_pg_database, drop_pg_database: reading the test database;
  - free_port, Server: `hukou serve` on a free port, started (waiting for /api/v1/health),
    stopped or killed, asked over http.client (JSON or raw bytes), logged in with a session
    cookie kept.
Whatever the scripts did differently (timeouts, threads, working directory, messages) is a
parameter here, with the most common choice as its default.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse

SKIP = 77
PASSWORD = os.environ.get("HUKOU_DEMO_PASSWORD", "hukou123")
START_TIMEOUT = 60.0
# A 2×2 PNG: the application form's scan.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001149444154789c"
    "63f8cfc0004460e23f03001df003fda03309890000000049454e44ae426082")
CHARS = "甲乙丙丁戊己庚辛壬癸"


def find_hukou(path, skipped):
    """The absolute path of the hukou binary at `path`; None when it is not an executable, after
    printing `skipped` (a format string; {path} is the absolute path). The caller then exits
    SKIP."""
    hukou = os.path.abspath(path)
    if not os.access(hukou, os.X_OK):
        print(skipped.format(path=hukou))
        return None
    return hukou


def as_json(got):
    """`got` as JSON (Chinese as is), anything JSON does not know as str()."""
    return json.dumps(got, ensure_ascii=False, default=str)


def as_strict_json(got):
    """`got` as JSON (Chinese as is); raises TypeError for what JSON does not know."""
    return json.dumps(got, ensure_ascii=False)


def as_text(got):
    """A string as is, anything else as repr()."""
    return got if isinstance(got, str) else repr(got)


class Checks:
    """The checks of a run: expect() prints `ok   what` or `FAIL what: got` (with a label:
    `ok   [label] what`), `got` shown through `show` and cut to `limit` characters."""

    def __init__(self, label=None, limit=1500, show=as_json):
        self.label, self.limit, self.show = label, limit, show
        self.failures, self.count = 0, 0

    def expect(self, what, ok, got=None):
        """Counts one check; returns ok."""
        self.count += 1
        if self.label is not None:
            what = f"[{self.label}] {what}"
        if ok:
            print(f"ok   {what}")
        else:
            self.failures += 1
            print(f"FAIL {what}: {self.show(got)[:self.limit]}")
        return ok


def run_hukou(hukou, *args, timeout=600, cwd=None):
    """`hukou args…`, output captured as text: the CompletedProcess (not checked)."""
    return subprocess.run([hukou, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd)


def build_demo(hukou, db_url, city="ezhou", seed=5, persons=200, cases=None, cwd=None,
               timeout=600):
    """A demo city in db_url (`hukou demo`, which migrates first), output discarded; raises
    CalledProcessError when it fails (TimeoutExpired after `timeout` seconds; None: no limit).
    `cwd` is where it runs (the server key file hukou.key is kept there)."""
    args = [hukou, "demo", "--db", db_url, "--city", city, "--seed", str(seed),
            "--persons", str(persons)]
    if cases is not None:
        args += ["--cases", str(cases)]
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=timeout)


def sqlite_rows(path, sql, params=()):
    """The rows of a query on the SQLite file at path, as sqlite3 gives them."""
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


def psql(url, sql):
    """The rows of `sql` on PostgreSQL (through psql) as tuples of text; RuntimeError when it
    fails."""
    exe = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    r = subprocess.run([exe, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", url,
                        "-c", sql], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed ({sql}): {r.stderr.strip()}")
    return [tuple(line.split("\t")) for line in r.stdout.splitlines() if line]


def new_pg_database(admin_url, name):
    """Creates the database `name` on the server of admin_url; returns its URL."""
    psql(admin_url, f"CREATE DATABASE {name}")
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path="/" + name))


def drop_pg_database(admin_url, name):
    psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `hukou serve --db db_url` process on 127.0.0.1, its output appended to log_path.

    threads: --threads; cwd: where it runs; port: a free one unless given; request_timeout: the
    seconds an HTTP request may take; stop_timeout: the seconds stop() waits after SIGTERM before
    SIGKILL; name: how error messages and the log tail call it (login errors say "name: …"), and
    title: how the start failure calls it (default "name: server", or "server").
    Sessions opened with login() are kept in `cookies` by user."""

    def __init__(self, hukou, db_url, log_path, threads=8, cwd=None, port=None,
                 request_timeout=30, stop_timeout=20, name=None, title=None):
        self.hukou, self.db_url, self.log_path = hukou, db_url, log_path
        self.threads, self.cwd = threads, cwd
        self.port = port or free_port()
        self.request_timeout, self.stop_timeout = request_timeout, stop_timeout
        self.name = name
        self.title = title or (f"{name}: server" if name else "server")
        self.process = None
        self.cookies = {}

    def start(self, args=()):
        """Starts it (extra `args` for serve) and waits until /api/v1/health answers 200;
        RuntimeError when it exits or does not answer within START_TIMEOUT."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.hukou, "serve", "--db", self.db_url, "--address", "127.0.0.1", "--port",
                 str(self.port), "--threads", str(self.threads), *args], cwd=self.cwd,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.title} did not start (see {self.log_path})")

    def kill(self):
        """SIGKILL, and waits for it."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        """SIGTERM, SIGKILL after stop_timeout seconds; the exit code (None: never started)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def connection(self, timeout=None):
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout or self.request_timeout)

    def fetch(self, method, path, body=None, headers=None, user=None, conn=None,
              before_send=None, timeout=None):
        """The raw exchange: sends exactly `headers` (plus the session cookie of `user`, who
        must have logged in) and `body` (bytes); returns (response, payload bytes). With
        before_send, the connection is opened first and before_send() called before the
        request goes out (to release several requests at once)."""
        headers = dict(headers or {})
        if user:
            headers["Cookie"] = self.cookies[user]
        conn = conn or self.connection(timeout)
        try:
            if before_send:
                conn.connect()
                before_send()
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            payload = r.read()
        finally:
            conn.close()
        return r, payload

    def request(self, method, path, body=None, cookie=None, raw=None, content_type=None,
                headers=None, user=None, conn=None, before_send=None):
        """A JSON request: `body` sent as JSON, or `raw` bytes as content_type; the session
        `cookie`, or that of `user` when that user logged in; `headers` added last. Returns
        (status, parsed JSON or None, Set-Cookie or None)."""
        h = {"Accept": "application/json"}
        data = None
        if body is not None:
            h["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        if raw is not None:
            h["Content-Type"] = content_type
            data = raw
        if user and user in self.cookies and not cookie:
            cookie = self.cookies[user]
        if cookie:
            h["Cookie"] = cookie
        h.update(headers or {})
        r, payload = self.fetch(method, path, data, h, conn=conn, before_send=before_send)
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return r.status, parsed, r.getheader("Set-Cookie")

    def login(self, user, password=PASSWORD):
        """Logs `user` in; returns the session cookie ("name=value"), also kept in cookies[user].
        RuntimeError when the login is refused."""
        status, body, set_cookie = self.request("POST", "/api/v1/auth/login",
                                                {"login": user, "password": password})
        if status != 200 or not set_cookie:
            prefix = f"{self.name}: " if self.name else ""
            raise RuntimeError(f"{prefix}login {user} failed: {status} {body}")
        self.cookies[user] = set_cookie.split(";", 1)[0]
        return self.cookies[user]

    def query(self, sql, params=()):
        """Rows of the server's database when it is SQLite (db_url "sqlite:PATH")."""
        return sqlite_rows(self.db_url[len("sqlite:"):], sql, params)

    def print_log_tail(self, lines=20):
        """Prints the last lines of its log (after a failure), headed `--- name log (tail)`."""
        if os.path.exists(self.log_path):
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-lines:])
            print(f"--- {self.name or 'server'} log (tail)\n" + tail)


def sqlite_server(hukou, workdir, name, **options):
    """A Server on the SQLite file workdir/name.db, logging to workdir/name.log and named `name`
    (options as for Server; threads 4 unless given)."""
    options.setdefault("threads", 4)
    return Server(hukou, "sqlite:" + os.path.join(workdir, name + ".db"),
                  os.path.join(workdir, name + ".log"), name=name, **options)
