#!/usr/bin/env python3
"""Several `hukou serve` processes on one PostgreSQL database keep one audit trail (issue #4,
H1/H4; standard library only).

Builds a small demo city with a few cases in a fresh PostgreSQL database, starts two `hukou
serve` processes on different ports against it, and drives both at once from several threads:
logins, person reads (logged in access_log), person updates, and case receptions whose capture
and decisions go through the other server (both servers try the acceptance; exactly one may
succeed). A session opened on one server is used on the other. Then it stops both servers and
checks that:
  - `hukou verify --db postgresql://…` exits 0,
  - audit_log and access_log are each one chain: seq 1..N without gaps or duplicates, every row
    chained, each row's prev_hash the previous row's hash (no fork: no two rows share a
    prev_hash), the chain head (audit_chains) at the last row,
  - every login, read and write the servers answered is in the logs, and each case's steps are
    numbered 1..n with one acceptance,
  - checkpoints were signed (one per chain and sequence number).

Usage: several_servers.py --hukou build/hukou [--pg-url URL]. Exit 0 passed, 1 failed, 77
skipped (no binary, or no PostgreSQL: HUKOU_TEST_PG_URL unset).
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    exe = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    r = subprocess.run([exe, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", url,
                        "-c", sql], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed ({sql}): {r.stderr.strip()}")
    return [tuple(line.split("\t")) for line in r.stdout.splitlines() if line]


class Server:
    def __init__(self, hukou, db_url, workdir, name):
        self.hukou, self.db_url, self.workdir, self.name = hukou, db_url, workdir, name
        self.log_path = os.path.join(workdir, name + ".log")
        self.port = free_port()
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.hukou, "serve", "--db", self.db_url, "--address", "127.0.0.1", "--port",
                 str(self.port), "--threads", "4"], cwd=self.workdir,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start (see {self.log_path})")

    def stop(self):
        """SIGTERM (the housekeeper signs the chain heads at shutdown); returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def request(self, method, path, body=None, cookie=None, raw=None, content_type=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        if raw is not None:
            headers["Content-Type"] = content_type
            data = raw
        if cookie:
            headers["Cookie"] = cookie
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            payload = r.read()
            set_cookie = r.getheader("Set-Cookie")
        finally:
            conn.close()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return r.status, parsed, set_cookie

    def login(self, user):
        status, body, set_cookie = self.request("POST", "/api/v1/auth/login",
                                                {"login": user, "password": PASSWORD})
        if status != 200 or not set_cookie:
            raise RuntimeError(f"{self.name}: login {user} failed: {status} {body}")
        return set_cookie.split(";", 1)[0]


class Checks:
    def __init__(self):
        self.failures = 0
        self.count = 0

    def expect(self, what, ok, got=None):
        self.count += 1
        if ok:
            print(f"ok   {what}")
        else:
            self.failures += 1
            print(f"FAIL {what}: {json.dumps(got, ensure_ascii=False, default=str)[:1500]}")


class Tally:
    """What the servers answered, counted across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.n = {}
        self.errors = []

    def add(self, key, k=1):
        with self.lock:
            self.n[key] = self.n.get(key, 0) + k

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def get(self, key):
        return self.n.get(key, 0)


def reader_writer(servers, index, persons, rounds, tally):
    """police1 on one server: logins on both, reads of persons through both (the session of one
    used on the other), and a phone change every few reads."""
    try:
        for r in range(rounds):
            home = servers[(index + r) % 2]
            cookie = home.login("police1")
            tally.add("login")
            for k in range(6):
                server = servers[(index + r + k) % 2]
                pid = persons[(index * 31 + r * 7 + k) % len(persons)]
                status, body, _ = server.request("GET", f"/api/v1/persons/{pid}", cookie=cookie)
                if status != 200:
                    tally.error(["read", server.name, status, body])
                    continue
                tally.add("read")
                if k % 3 == 2:
                    phone = f"139{index:02d}{r:03d}{k:03d}"[:11]
                    status, body, _ = server.request(
                        "PATCH", f"/api/v1/persons/{pid}", {"phone": phone, "reason": "核实电话"},
                        cookie=cookie)
                    if status == 200:
                        tally.add("update")
                    elif status != 409:
                        tally.error(["update", server.name, status, body])
    except (OSError, RuntimeError) as e:
        tally.error(["reader", index, str(e)])


def case_worker(servers, index, heads, n, tally, case_nos):
    """clerk1 receives on one server, captures on the other; police1 on both servers accepts at
    once (one acceptance wins, the other is refused)."""
    try:
        a, b = servers[index % 2], servers[(index + 1) % 2]
        clerk_a, clerk_b = a.login("clerk1"), b.login("clerk1")
        police = [a.login("police1"), b.login("police1")]
        tally.add("login", 4)
        for i in range(n):
            number, father, name = heads[(index * n + i) % len(heads)]
            status, body, _ = a.request("POST", "/api/v1/cases", {
                "item_code": "HK0101",
                "applicant": {"name": name, "id_number": father},
                "subjects": [{"new_person": {
                    "name": "并发" + CHARS[index % 10] + CHARS[i % 10], "sex": "1" if i % 2 else "2",
                    "ethnicity": "01", "birth_date": "2026-11-01", "father_name": name,
                    "father_id_number": father}, "relation_to_head": "20"}],
                "materials": ["application_form"],
                "form": {"household_number": number}}, cookie=clerk_a)
            if status != 201:
                tally.error(["receive", a.name, status, body])
                continue
            case_no = body["case_no"]
            with tally.lock:
                case_nos.append(case_no)
            status, body, _ = b.request(
                "POST", f"/api/v1/archive/cases/{case_no}/materials?material_code="
                "application_form&source=scan", raw=PNG, content_type="image/png",
                cookie=clerk_b)
            if status != 201:
                tally.error(["capture", b.name, status, body])
                continue
            results = [None, None]

            def accept(k):
                results[k] = servers[k].request(
                    "POST", f"/api/v1/cases/{case_no}/decisions",
                    {"decision": "approve", "opinion": "材料齐全，同意受理"}, cookie=police[k])[0]

            pair = [threading.Thread(target=accept, args=(k,)) for k in (0, 1)]
            for t in pair:
                t.start()
            for t in pair:
                t.join()
            if results.count(200) != 1:
                tally.error(["accept", case_no, results])
            else:
                tally.add("accept")
    except (OSError, RuntimeError) as e:
        tally.error(["cases", index, str(e)])


def check_chain(c, url, table, chain):
    count, lo, hi, distinct, unchained = psql(
        url, f"SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0), "
             f"COUNT(DISTINCT seq), COUNT(*) - COUNT(seq) FROM {table}")[0]
    count, lo, hi, distinct, unchained = map(int, (count, lo, hi, distinct, unchained))
    c.expect(f"{table}: seq runs 1..{hi} without gaps or duplicates ({count} rows)",
             unchained == 0 and count == hi == distinct and (count == 0 or lo == 1),
             [count, lo, hi, distinct, unchained])
    broken = psql(url, f"SELECT b.seq FROM {table} a JOIN {table} b ON b.seq = a.seq + 1 "
                       f"WHERE b.prev_hash <> a.hash ORDER BY b.seq LIMIT 10")
    c.expect(f"{table}: every row links to the previous row's hash", not broken, broken)
    forks = psql(url, f"SELECT prev_hash, COUNT(*) FROM {table} GROUP BY prev_hash "
                      f"HAVING COUNT(*) > 1 LIMIT 10")
    c.expect(f"{table}: no fork (no two rows continue the same row)", not forks, forks)
    head = psql(url, f"SELECT h.last_seq, h.last_hash = COALESCE((SELECT hash FROM {table} "
                     f"WHERE seq = h.last_seq), '') FROM audit_chains h WHERE h.name = '{chain}'")
    c.expect(f"{table}: the chain head is its last row", head == [(str(hi), "t")], head)
    return hi


def run(hukou, pg_url, c):
    name = "hukou_multi_" + secrets.token_hex(4)
    psql(pg_url, f"CREATE DATABASE {name}")
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(pg_url)._replace(path="/" + name))
    workdir = tempfile.mkdtemp(prefix="hukou-multi-")
    servers = [Server(hukou, url, workdir, "serve-a"), Server(hukou, url, workdir, "serve-b")]
    try:
        # Every process runs in workdir, so they share the server key file (hukou.key).
        subprocess.run([hukou, "demo", "--db", url, "--city", "ezhou", "--seed", "9",
                        "--persons", "200", "--cases", "8"], cwd=workdir, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        before = {k: int(v) for k, v in psql(
            url, "SELECT 'login', COUNT(*) FROM audit_log WHERE action = 'auth.login' UNION ALL "
                 "SELECT 'read', COUNT(*) FROM access_log WHERE action = 'read_person' UNION ALL "
                 "SELECT 'update', COUNT(*) FROM audit_log WHERE action = 'person.update'")}
        for s in servers:
            s.start()
        persons = [row[0] for row in psql(
            url, "SELECT p.id_number FROM persons p JOIN users u ON u.login = 'police1' "
                 "WHERE p.station_code = u.unit_code AND p.status = 'active' ORDER BY p.id "
                 "LIMIT 40")]
        heads = psql(
            url, "SELECT h.household_number, p.id_number, p.name FROM households h "
                 "JOIN persons p ON p.household_id = h.id AND p.relation_to_head = '02' "
                 "JOIN users u ON u.login = 'police1' WHERE h.station_code = u.unit_code "
                 "AND h.status = 'active' AND p.status = 'active' ORDER BY h.id LIMIT 20")
        if not persons or not heads:
            raise RuntimeError("the demo city has no person or household in police1's station")
        tally = Tally()
        case_nos = []
        threads = [threading.Thread(target=reader_writer, args=(servers, i, persons, 6, tally))
                   for i in range(6)]
        threads += [threading.Thread(target=case_worker,
                                     args=(servers, i, heads, 5, tally, case_nos))
                    for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        c.expect("every request through both servers was answered as expected", not tally.errors,
                 tally.errors[:10])
        c.expect("reads, updates, logins and acceptances happened",
                 tally.get("read") > 0 and tally.get("update") > 0 and tally.get("accept") > 0,
                 tally.n)
        codes = [s.stop() for s in servers]
        c.expect("both servers stopped cleanly", codes == [0, 0], codes)

        r = subprocess.run([hukou, "verify", "--db", url], cwd=workdir, capture_output=True,
                           text=True, timeout=600)
        c.expect("hukou verify --db postgresql://… exits 0", r.returncode == 0,
                 r.stdout[-1500:] + r.stderr[-500:])
        check_chain(c, url, "audit_log", "audit")
        check_chain(c, url, "access_log", "access")
        after = {k: int(v) for k, v in psql(
            url, "SELECT 'login', COUNT(*) FROM audit_log WHERE action = 'auth.login' UNION ALL "
                 "SELECT 'read', COUNT(*) FROM access_log WHERE action = 'read_person' UNION ALL "
                 "SELECT 'update', COUNT(*) FROM audit_log WHERE action = 'person.update'")}
        for key in ("login", "read", "update"):
            c.expect(f"every {key} answered is logged ({tally.get(key)})",
                     after[key] - before[key] == tally.get(key), [before[key], after[key]])
        listed = ", ".join("'" + n + "'" for n in case_nos) or "''"
        steps = psql(url, "SELECT c.case_no, string_agg(s.step_no::text, ',' ORDER BY s.step_no), "
                          "SUM(CASE WHEN s.action = 'accept' THEN 1 ELSE 0 END) FROM cases c "
                          f"JOIN case_steps s ON s.case_id = c.id WHERE c.case_no IN ({listed}) "
                          "GROUP BY c.case_no ORDER BY c.case_no")
        bad = [row for row in steps if row[1] != "1,2" or row[2] != "1"]
        c.expect(f"each case has its receipt and one acceptance ({len(steps)} cases)",
                 len(steps) == len(case_nos) and not bad, bad or steps)
        cps = psql(url, "SELECT chain, COUNT(*), COUNT(DISTINCT seq) FROM audit_checkpoints "
                        "GROUP BY chain ORDER BY chain")
        c.expect("checkpoints signed for both chains, one per sequence number",
                 [row[0] for row in cps] == ["access", "audit"] and
                 all(row[1] == row[2] for row in cps), cps)
    finally:
        for s in servers:
            s.stop()
        if c.failures:
            for s in servers:
                if os.path.exists(s.log_path):
                    with open(s.log_path, encoding="utf-8", errors="replace") as f:
                        print(f"--- {s.name} log (tail)\n" + "".join(f.readlines()[-15:]))
        shutil.rmtree(workdir, ignore_errors=True)
        psql(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--hukou", default="build/hukou")
    ap.add_argument("--pg-url", default=os.environ.get("HUKOU_TEST_PG_URL", ""))
    args = ap.parse_args()
    hukou = os.path.abspath(args.hukou)
    if not os.access(hukou, os.X_OK):
        print(f"skipped: no executable {hukou}")
        return SKIP
    if not args.pg_url:
        print("skipped: no PostgreSQL URL (HUKOU_TEST_PG_URL)")
        return SKIP
    c = Checks()
    try:
        run(hukou, args.pg_url, c)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        c.expect("setup", False, str(e))
    print(f"{c.count - c.failures}/{c.count} checks passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
