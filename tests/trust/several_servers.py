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
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import CHARS, PNG, SKIP, Checks, Server, build_demo, drop_pg_database, find_hukou, \
    new_pg_database, psql  # noqa: E402


def serve(hukou, url, workdir, name):
    """A server on the shared database, run in workdir (the shared key file), logging to
    workdir/name.log; SIGTERM lets its housekeeper sign the chain heads, so stop() waits 30 s."""
    return Server(hukou, url, os.path.join(workdir, name + ".log"), threads=4, cwd=workdir,
                  request_timeout=60, stop_timeout=30, name=name, title=name)


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
    url = new_pg_database(pg_url, name)
    workdir = tempfile.mkdtemp(prefix="hukou-multi-")
    servers = [serve(hukou, url, workdir, "serve-a"), serve(hukou, url, workdir, "serve-b")]
    try:
        # Every process runs in workdir, so they share the server key file (hukou.key).
        build_demo(hukou, url, city="ezhou", seed=9, persons=200, cases=8, cwd=workdir,
                   timeout=900)
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
                s.print_log_tail(15)
        shutil.rmtree(workdir, ignore_errors=True)
        drop_pg_database(pg_url, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--hukou", default="build/hukou")
    ap.add_argument("--pg-url", default=os.environ.get("HUKOU_TEST_PG_URL", ""))
    args = ap.parse_args()
    hukou = find_hukou(args.hukou, "skipped: no executable {path}")
    if hukou is None:
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
