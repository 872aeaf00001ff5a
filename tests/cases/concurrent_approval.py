#!/usr/bin/env python3
"""Two officers deciding the same step of one case at the same moment over HTTP: exactly one
decision counts (standard library only; SQLite).

Builds a small demo city, adds a second station chief to police1's station (`hukou user add`),
starts `hukou serve`, and over fresh birth registrations (HK0101, received at clerk1's window for
households of police1's station, the application form captured) fires the same `approve` from two
sessions at once (threads with pre-opened connections released by a barrier), round after round:
  - final approval by two different station chiefs (chief1, chief1b), each sending the case
    version it displayed: exactly one 200 and one 409 case.conflict (docs/api.md: "send the
    version you displayed to always get 409");
  - acceptance by police1 and chief1 (a station chief may take a police step), version sent:
    the same;
  - final approval by chief1 from two sessions without a version: exactly one 200, the other a
    4xx refusal (409 case.conflict when both read the case before either wrote), never 200 or 5xx.
After every round the case shows exactly one step for that decision (chain index), its version
went up by exactly one, its status moved exactly one step on, and, for final approvals, exactly
one child was registered (one person of that name, one change_log `register` row for the case).

Usage: concurrent_approval.py --hukou build/hukou [--rounds 20]. Exit 0 passed, 1 failed, 77
skipped (no binary).
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import CHARS, PASSWORD, PNG, SKIP, Checks, Server, find_hukou, run_hukou, \
    sqlite_rows as query  # noqa: E402


class Cases:
    """Receives birth registrations and takes them to a given step."""

    def __init__(self, server, db_path):
        self.server, self.db_path = server, db_path
        self.clerk = server.login("clerk1")
        self.police = server.login("police1")
        self.heads = query(
            db_path,
            "SELECT h.household_number, p.id_number, p.name FROM households h "
            "JOIN persons p ON p.household_id = h.id AND p.relation_to_head = '02' "
            "JOIN users u ON u.login = 'police1' WHERE h.station_code = u.unit_code "
            "AND h.status = 'active' AND p.status = 'active' ORDER BY h.id")
        if not self.heads:
            raise RuntimeError("the demo city has no household in police1's station")
        self.n = 0

    def receive(self):
        """A received case with its form captured: (case_no, child's name)."""
        i = self.n
        self.n += 1
        number, father, name = self.heads[i % len(self.heads)]
        child = "并发" + CHARS[i % 10] + CHARS[i // 10 % 10] + CHARS[i // 100 % 10]
        status, body, _ = self.server.request("POST", "/api/v1/cases", {
            "item_code": "HK0101",
            "applicant": {"name": name, "id_number": father, "phone": "13800000001"},
            "subjects": [{"new_person": {"name": child, "sex": "1" if i % 2 else "2",
                                         "ethnicity": "01", "birth_date": "2026-11-01",
                                         "father_name": name, "father_id_number": father},
                          "relation_to_head": "20"}],
            "materials": ["application_form"],
            "form": {"household_number": number}}, cookie=self.clerk)
        if status != 201:
            raise RuntimeError(f"receive failed: {status} {body}")
        case_no = body["case_no"]
        status, body, _ = self.server.request(
            "POST", f"/api/v1/archive/cases/{case_no}/materials?material_code=application_form"
            "&source=scan", raw=PNG, content_type="image/png", cookie=self.clerk)
        if status != 201:
            raise RuntimeError(f"capture failed: {status} {body}")
        return case_no, child

    def accept(self, case_no):
        status, body, _ = self.server.request(
            "POST", f"/api/v1/cases/{case_no}/decisions",
            {"decision": "approve", "opinion": "材料齐全，同意受理"}, cookie=self.police)
        if status != 200 or body.get("status") != "accepted":
            raise RuntimeError(f"acceptance failed: {status} {body}")

    def get(self, case_no, cookie):
        status, body, _ = self.server.request("GET", f"/api/v1/cases/{case_no}", cookie=cookie)
        if status != 200:
            raise RuntimeError(f"reading {case_no} failed: {status} {body}")
        return body


def race(server, case_no, cookies, version):
    """The same approve from each session at once; [(status, body)] in session order."""
    barrier = threading.Barrier(len(cookies))
    results = [None] * len(cookies)
    body = {"decision": "approve", "opinion": "同意"}
    if version is not None:
        body["version"] = version

    def go(k):
        try:
            status, parsed, _ = server.request(
                "POST", f"/api/v1/cases/{case_no}/decisions", body, cookie=cookies[k],
                conn=server.connection(), before_send=barrier.wait)
            results[k] = (status, parsed)
        except (OSError, threading.BrokenBarrierError) as e:
            results[k] = (0, str(e))

    threads = [threading.Thread(target=go, args=(k,)) for k in range(len(cookies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def error_code(body):
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def run_round(c, cases, db_path, label, step, cookies, send_version, tally):
    """One race on a fresh case; `step` is the chain index decided (0 acceptance, 1 approval)."""
    case_no, child = cases.receive()
    if step == 1:
        cases.accept(case_no)
    before = cases.get(case_no, cases.police)
    results = race(cases.server, case_no, cookies, before["version"] if send_version else None)
    statuses = sorted(s for s, _ in results)
    ok_bodies = [b for s, b in results if s == 200]
    refused = [(s, error_code(b)) for s, b in results if s != 200]
    for r in refused:
        tally[r] = tally.get(r, 0) + 1
    if send_version:
        good = statuses == [200, 409] and refused[0][1] == "case.conflict"
        want = "one 200 and one 409 case.conflict"
    else:
        good = (statuses.count(200) == 1 and len(refused) == 1
                and 400 <= refused[0][0] < 500 and refused[0][1])
        want = "one 200 and one 4xx refusal"
    c.expect(f"{label} {case_no}: {want}", good,
             [(s, error_code(b) or (b or {}).get("status")) for s, b in results])
    after = cases.get(case_no, cases.police)
    decided = [s for s in after["steps"] if s["chain_index"] == step and s["action"] != "receive"]
    want_status = "accepted" if step == 0 else "approved"
    c.expect(f"{label} {case_no}: exactly one step for chain index {step}, version "
             f"{before['version']} → {before['version'] + 1}, status {want_status}",
             len(decided) == 1 and after["version"] == before["version"] + 1
             and after["status"] == want_status
             and all(b.get("version") == after["version"] for b in ok_bodies),
             {"steps": [[s["chain_index"], s["action"], s["decision"], s["officer"]["name"]]
                        for s in after["steps"]],
              "version": [before["version"], after["version"]], "status": after["status"]})
    rows = query(db_path, "SELECT COUNT(*) FROM case_steps s JOIN cases k ON k.id = s.case_id "
                          "WHERE k.case_no = ? AND s.chain_index = ?", (case_no, step))
    c.expect(f"{label} {case_no}: one case_steps row for chain index {step} in the database",
             rows[0][0] == 1, rows)
    if step == 1:
        persons = query(db_path, "SELECT COUNT(*) FROM persons WHERE name = ?", (child,))[0][0]
        logged = query(db_path, "SELECT COUNT(DISTINCT l.entity_id), COUNT(*) FROM change_log l "
                                "JOIN cases k ON k.id = l.case_id WHERE k.case_no = ? AND "
                                "l.entity = 'person' AND l.action = 'register'", (case_no,))[0]
        c.expect(f"{label} {case_no}: the child {child} registered exactly once",
                 persons == 1 and logged[0] == 1
                 and len(after.get("effect_result", {}).get("persons", [])) == 1,
                 {"persons": persons, "change_log": logged,
                  "effect_result": after.get("effect_result")})


def run_test(hukou, rounds):
    c = Checks(limit=1200)
    with tempfile.TemporaryDirectory(prefix="hukou-race-") as workdir:
        db_path = os.path.join(workdir, "city.db")
        url = "sqlite:" + db_path
        server = Server(hukou, url, os.path.join(workdir, "serve.log"), request_timeout=60)
        try:
            for args in (["migrate", "--db", url],
                         ["demo", "--db", url, "--city", "ezhou", "--seed", "5", "--persons",
                          "200"],
                         ["user", "add", "--db", url, "--login", "chief1b", "--password",
                          PASSWORD, "--role", "station_chief", "--unit", "420704510000",
                          "--name", "第二所长"]):
                r = run_hukou(hukou, *args)
                if r.returncode != 0:
                    raise RuntimeError(f"{args[0]} failed: {r.stderr[-800:]}")
            c.expect("chief1b is a station chief of police1's station",
                     query(db_path, "SELECT role, unit_code FROM users WHERE login = 'chief1b'")
                     == query(db_path, "SELECT role, unit_code FROM users WHERE login = 'chief1'"),
                     query(db_path, "SELECT login, role, unit_code FROM users "
                                    "WHERE login LIKE 'chief1%'"))
            server.start()
            cases = Cases(server, db_path)
            chief, chief_b = server.login("chief1"), server.login("chief1b")
            chief_again = server.login("chief1")
            police = server.login("police1")
            tally = {}
            for _ in range(rounds):
                run_round(c, cases, db_path, "approval by two chiefs", 1, [chief, chief_b],
                          True, tally)
            for _ in range(max(1, rounds // 2)):
                run_round(c, cases, db_path, "acceptance by police1 and chief1", 0,
                          [police, chief], True, tally)
            for _ in range(max(1, rounds // 2)):
                run_round(c, cases, db_path, "approval by chief1 twice, no version", 1,
                          [chief, chief_again], False, tally)
            print("refusals seen: " + ", ".join(f"{s} {code}: {n}"
                                                for (s, code), n in sorted(tally.items())))
            dup = query(db_path, "SELECT k.case_no, s.chain_index, COUNT(*) FROM case_steps s "
                                 "JOIN cases k ON k.id = s.case_id WHERE s.chain_index >= 0 "
                                 "GROUP BY k.case_no, s.chain_index HAVING COUNT(*) > 1")
            c.expect("no case has two steps for one chain index", not dup, dup)
        except (RuntimeError, OSError, subprocess.SubprocessError, sqlite3.Error) as e:
            c.expect("setup", False, str(e))
        finally:
            server.stop()
            if c.failures:
                server.print_log_tail(20)
    return c


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hukou", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    hukou = find_hukou(args.hukou, "race: skipped, no executable {path}")
    if hukou is None:
        return SKIP
    c = run_test(hukou, args.rounds)
    print(f"race: {c.count - c.failures} passed, {c.failures} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
