#!/usr/bin/env python3
"""A server killed (kill -9) in the middle of approvals leaves cases and registry consistent
(issue #3 "How this is checked"; standard library only).

Builds a small demo city, starts `hukou serve`, receives birth registrations (HK0101) at clerk1's
window for households of police1's station, captures their application forms, and fires
acceptances (police1) and approvals (chief1) from several threads; kills the server with SIGKILL
in the middle, restarts it and checks the database:
  - every case's status matches its steps (received: no approval; accepted: the acceptance;
    approved: acceptance and approval) and its current step,
  - every approved birth has exactly one new person, registered with a change_log row naming the
    case, and the case names that person,
  - no person was created (no change_log row) for a case that is not approved,
  - ID numbers and case numbers are unique, and exactly the approved births were added,
then continues the approvals after the restart and checks again with every case approved.

Runs on SQLite; with --backend postgres (or HUKOU_TEST_PG_URL set and --backend all) on
PostgreSQL too. Exit 0 passed, 1 failed, 77 skipped (no binary).
Usage: kill_during_approvals.py --hukou build/hukou [--backend sqlite|postgres|all] [--cases N]
"""

import argparse
import os
import queue
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import CHARS, PNG, SKIP, Checks, Server, as_strict_json, build_demo, \
    drop_pg_database, find_hukou, new_pg_database, psql  # noqa: E402


class Database:
    """The test database: a SQLite file, or a fresh PostgreSQL database (dropped at the end)."""

    def __init__(self, backend, workdir, pg_url):
        self.backend = backend
        if backend == "sqlite":
            self.path = os.path.join(workdir, "city.db")
            self.url = "sqlite:" + self.path
        else:
            self.admin = pg_url
            self.name = "hukou_kill_" + secrets.token_hex(4)
            self.url = new_pg_database(self.admin, self.name)

    def query(self, sql):
        """Rows as tuples of text (both backends answer alike)."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as db:
                return [tuple("" if v is None else str(v) for v in row)
                        for row in db.execute(sql).fetchall()]
        return psql(self.url, sql)

    def drop(self):
        if self.backend != "sqlite":
            drop_pg_database(self.admin, self.name)


def receive_cases(server, db, n):
    """n birth cases for households of police1's station, each with its form captured."""
    clerk = server.login("clerk1")
    heads = db.query(
        "SELECT h.household_number, p.id_number, p.name FROM households h "
        "JOIN persons p ON p.household_id = h.id AND p.relation_to_head = '02' "
        "JOIN users u ON u.login = 'police1' WHERE h.station_code = u.unit_code "
        "AND h.status = 'active' AND p.status = 'active' ORDER BY h.id")
    if not heads:
        raise RuntimeError("the demo city has no household in police1's station")
    out = []
    for i in range(n):
        number, father, name = heads[i % len(heads)]
        status, body, _ = server.request("POST", "/api/v1/cases", {
            "item_code": "HK0101",
            "applicant": {"name": name, "id_number": father},
            "subjects": [{"new_person": {"name": "断电" + CHARS[i % 10] + CHARS[i // 10 % 10], "sex": "1" if i % 2 else "2",
                                         "ethnicity": "01", "birth_date": "2026-11-01",
                                         "father_name": name, "father_id_number": father},
                          "relation_to_head": "20"}],
            "materials": ["application_form"],
            "form": {"household_number": number}}, cookie=clerk)
        if status != 201:
            raise RuntimeError(f"receive failed: {status} {body}")
        case_no = body["case_no"]
        status, body, _ = server.request(
            "POST", f"/api/v1/archive/cases/{case_no}/materials?material_code=application_form"
            "&source=scan", raw=PNG, content_type="image/png", cookie=clerk)
        if status != 201:
            raise RuntimeError(f"capture failed: {status} {body}")
        out.append(case_no)
    return out


def fire_approvals(server, cases, threads, stop_after=None, on_progress=None):
    """Accepts (police1) and approves (chief1) every case from several threads. Stops quietly
    when the server goes away. Returns the number of successful final approvals."""
    police, chief = server.login("police1"), server.login("chief1")
    work = queue.Queue()
    for c in cases:
        work.put(c)
    approved = [0]
    lock = threading.Lock()
    gone = threading.Event()

    def worker():
        while not gone.is_set():
            try:
                case_no = work.get_nowait()
            except queue.Empty:
                return
            try:
                # Acceptance, then approval; after the restart a case may already be accepted
                # (the police's try is refused) or approved (both are refused).
                status = 0
                for cookie in (police, chief):
                    status, _, _ = server.request(
                        "POST", f"/api/v1/cases/{case_no}/decisions",
                        {"decision": "approve", "opinion": "同意"}, cookie=cookie)
                if status == 200:
                    with lock:
                        approved[0] += 1
                        if on_progress:
                            on_progress(approved[0])
            except OSError:
                gone.set()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return approved[0]


def check_consistency(db, c, phase, base_persons, all_approved=False):
    cases = db.query("SELECT c.id, c.case_no, c.status, c.current_step, "
                     "(SELECT COUNT(*) FROM case_steps s WHERE s.case_id = c.id AND "
                     "s.chain_index >= 0 AND s.decision = 'approve'), c.effect_result "
                     "FROM cases c ORDER BY c.id")
    expected_steps = {"received": (0, 0), "accepted": (1, 1), "approved": (2, 1)}
    bad = []
    for cid, case_no, status, step, approvals, effect in cases:
        want = expected_steps.get(status)
        if want is None or int(approvals) != want[0] or int(step) != want[1]:
            bad.append([case_no, status, step, approvals])
        if (status == "approved") != (effect not in ("", "{}")):
            bad.append([case_no, status, "effect_result", effect[:80]])
    c.expect(f"{phase}: every case's status matches its steps ({len(cases)} cases)", not bad, bad)

    per_case = {row[0]: row for row in db.query(
        "SELECT c.id, c.status, COUNT(DISTINCT l.entity_id), MAX(cp.person_id) FROM cases c "
        "LEFT JOIN change_log l ON l.case_id = c.id AND l.entity = 'person' "
        "AND l.action = 'register' "
        "LEFT JOIN case_persons cp ON cp.case_id = c.id GROUP BY c.id, c.status")}
    wrong = [r for r in per_case.values()
             if (r[1] == "approved" and (r[2] != "1" or r[3] == ""))]
    c.expect(f"{phase}: every approved birth has exactly one new person naming the case",
             not wrong, wrong)
    linked = db.query("SELECT COUNT(*) FROM case_persons cp JOIN cases c ON c.id = cp.case_id "
                      "JOIN change_log l ON l.case_id = c.id AND l.entity = 'person' "
                      "AND l.entity_id = cp.person_id AND l.action = 'register' "
                      "WHERE c.status = 'approved'")
    approved = sum(1 for r in per_case.values() if r[1] == "approved")
    c.expect(f"{phase}: the case names the person its change_log registered",
             int(linked[0][0]) == approved, [linked, approved])
    stray = db.query("SELECT c.case_no, c.status FROM cases c JOIN change_log l ON "
                     "l.case_id = c.id WHERE c.status <> 'approved'")
    stray += db.query("SELECT c.case_no, c.status FROM cases c JOIN case_persons cp ON "
                      "cp.case_id = c.id WHERE c.status <> 'approved' AND cp.person_id IS NOT NULL")
    c.expect(f"{phase}: no person for a case that is not approved", not stray, stray)
    persons = int(db.query("SELECT COUNT(*) FROM persons")[0][0])
    c.expect(f"{phase}: exactly the approved births were added ({approved})",
             persons == base_persons + approved, [persons, base_persons, approved])
    dup = db.query("SELECT id_number, COUNT(*) FROM persons GROUP BY id_number "
                   "HAVING COUNT(*) > 1")
    dup += db.query("SELECT case_no, COUNT(*) FROM cases GROUP BY case_no HAVING COUNT(*) > 1")
    c.expect(f"{phase}: ID numbers and case numbers are unique", not dup, dup)
    if all_approved:
        c.expect(f"{phase}: every case approved after the restart", approved == len(cases),
                 [approved, len(cases)])
    return approved


def run_backend(hukou, backend, pg_url, n_cases, threads):
    c = Checks(backend, limit=800, show=as_strict_json)
    with tempfile.TemporaryDirectory(prefix="hukou-kill-") as workdir:
        db = Database(backend, workdir, pg_url)
        server = Server(hukou, db.url, os.path.join(workdir, "serve.log"))
        try:
            build_demo(hukou, db.url, city="ezhou", seed=5, persons=200)
            base = int(db.query("SELECT COUNT(*) FROM persons")[0][0])
            server.start()
            cases = receive_cases(server, db, n_cases)
            killer_at = max(1, n_cases // 3)
            killed = threading.Event()

            def kill_midway(done):
                if done >= killer_at and not killed.is_set():
                    killed.set()
                    server.kill()

            fire_approvals(server, cases, threads, on_progress=kill_midway)
            c.expect("the server was killed in the middle of approvals", killed.is_set())
            server.kill()
            server.start()
            before = check_consistency(db, c, "after kill -9", base)
            c.expect("some but not all cases were approved before the kill",
                     0 < before < n_cases, before)
            fire_approvals(server, [x for x in cases], threads)
            check_consistency(db, c, "after restart", base, all_approved=True)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            c.expect("setup", False, str(e))
        finally:
            server.stop()
            if c.failures:
                server.print_log_tail(20)
            db.drop()
    return c


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hukou", required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--pg-url", default=os.environ.get("HUKOU_TEST_PG_URL", ""))
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--threads", type=int, default=6)
    args = parser.parse_args()
    hukou = find_hukou(args.hukou, "kill: skipped, no executable {path}")
    if hukou is None:
        return SKIP
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    if not args.pg_url:
        if args.backend == "postgres":
            print("kill: skipped, no PostgreSQL URL (HUKOU_TEST_PG_URL)")
            return SKIP
        backends = [b for b in backends if b != "postgres"]
    failures = count = 0
    for backend in backends:
        c = run_backend(hukou, backend, args.pg_url, args.cases, args.threads)
        failures += c.failures
        count += c.count
    print(f"kill: {count - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
