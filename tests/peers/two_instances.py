#!/usr/bin/env python3
"""National hukou check (A9) across two instances (standard library only).

Builds two demo cities in two SQLite files (ezhou, seed 11, and ordos, seed 12), starts two
`hukou serve` processes on free ports configured as each other's peers, and checks through the API
of instance A (ezhou) that:
  - a person registered in B (ordos) reads as active with B's station,
  - a person cancelled in B reads as cancelled with the reason and date,
  - a valid number registered nowhere reads as none,
  - a wrong or missing peer token is refused by B (401), an auxiliary officer by A (403),
  - B's access log recorded A's queries (the peer named in it),
  - with B down, A answers 503 national_check.peer (the check cannot be made).

Usage: two_instances.py --hukou build/hukou. Exit 0 passed, 1 failed, 77 skipped (no binary).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import SKIP, Checks, as_strict_json, build_demo, find_hukou, \
    sqlite_server  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(first17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hukou", required=True)
    parser.add_argument("--persons", type=int, default=400)
    args = parser.parse_args()
    hukou = find_hukou(args.hukou, "peers: skipped, no executable {path}")
    if hukou is None:
        return SKIP

    c = Checks(limit=600, show=as_strict_json)
    with tempfile.TemporaryDirectory(prefix="hukou-peers-") as workdir:
        a = sqlite_server(hukou, workdir, "ezhou")
        b = sqlite_server(hukou, workdir, "ordos")
        token_a_to_b = "ezhou-asks-ordos-" + os.urandom(8).hex()
        token_b_to_a = "ordos-asks-ezhou-" + os.urandom(8).hex()
        try:
            build_demo(hukou, a.db_url, city="ezhou", seed=11, persons=args.persons, timeout=None)
            build_demo(hukou, b.db_url, city="ordos", seed=12, persons=args.persons, timeout=None)
            # A's peers come from a file, B's from flags.
            config = os.path.join(workdir, "ezhou.peers")
            with open(config, "w", encoding="utf-8") as f:
                f.write("# instances ezhou asks, and the tokens that may ask it\n")
                f.write(f"peer ordos=http://127.0.0.1:{b.port}={token_a_to_b}\n\n")
                f.write(f"peer-token ordos={token_b_to_a}\n")
            a.start(["--peers-file", config])
            b.start(["--peer", f"ezhou=http://127.0.0.1:{a.port}={token_b_to_a}",
                     "--peer-token", f"ezhou={token_a_to_b}"])
            run(a, b, c, token_a_to_b)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            c.expect("setup", False, str(e))
        finally:
            a.stop()
            b.stop()
            if c.failures:
                for inst in (a, b):
                    inst.print_log_tail(20)
    print(f"peers: {c.count - c.failures} passed, {c.failures} failed")
    return 1 if c.failures else 0


def run(a, b, c, token_a_to_b):
    active = b.query("SELECT p.id_number, p.name, u.name, p.sex, p.birth_date FROM persons p "
                     "JOIN units u ON u.code = p.station_code WHERE p.status = 'active' "
                     "ORDER BY p.id LIMIT 1")[0]
    cancelled = b.query("SELECT id_number, name, cancel_reason, cancel_date FROM persons "
                        "WHERE status = 'cancelled' ORDER BY id LIMIT 1")
    if not cancelled:
        raise RuntimeError("ordos demo holds no cancelled person")
    cancelled = cancelled[0]
    first17 = "15060219900101" + "987"
    unknown = first17 + check_char(first17)
    for inst in (a, b):
        if inst.query("SELECT 1 FROM persons WHERE id_number = ?", (unknown,)):
            raise RuntimeError("the unknown number exists")

    a.login("police1")
    a.login("aux1")

    def check(user, id_number, name):
        return a.request("POST", "/api/v1/national-check",
                         {"id_number": id_number, "name": name}, user=user)

    status, body, _ = check("police1", active[0], active[1])
    c.expect("active in ordos reads active with its station",
             status == 200 and body["outcome"] == "active" and body["peer"] == "ordos"
             and body["station"] == active[2] and body["id_number"] == active[0]
             and body["detail"]["peers"][0]["name_matches"] is True, [status, body])

    status, body, _ = check("police1", cancelled[0], cancelled[1])
    c.expect("cancelled in ordos reads cancelled with reason and date",
             status == 200 and body["outcome"] == "cancelled" and body["peer"] == "ordos"
             and body["cancel_reason"] == cancelled[2] and body["cancel_date"] == cancelled[3]
             and body["cancel_reason_name"] != "", [status, body])

    status, body, _ = check("police1", unknown, "查无此人")
    c.expect("a valid number registered nowhere reads none",
             status == 200 and body["outcome"] == "none" and body["peer"] == ""
             and body["detail"]["peers"] == [{"peer": "ordos", "outcome": "none", "station": "",
                                               "station_code": "", "cancel_reason": "",
                                               "cancel_date": "", "name_matches": False}],
             [status, body])

    status, body, _ = check("police1", unknown[:17] + ("0" if unknown[17] != "0" else "1"), "错号")
    c.expect("a wrong check digit is refused before asking",
             status == 400 and body["error"]["code"] == "id_number.check_digit", [status, body])

    status, body, _ = check("aux1", active[0], active[1])
    c.expect("an auxiliary officer may not run the check",
             status == 403 and body["error"]["code"] == "role.forbidden", [status, body])

    path = "/api/v1/national-check/" + active[0] + "?name=" + urllib.parse.quote(active[1])
    status, body, _ = b.request("GET", path, headers={"Authorization": "Bearer wrong-token-000000"})
    c.expect("ordos refuses a wrong peer token",
             status == 401 and body["error"]["code"] == "national_check.token", [status, body])
    status, body, _ = b.request("GET", path)
    c.expect("ordos refuses a caller without token or session",
             status == 401 and body["error"]["code"] == "auth.required", [status, body])
    status, body, _ = b.request("GET", path, headers={"Authorization": "Bearer " + token_a_to_b})
    c.expect("ordos answers ezhou's token directly",
             status == 200 and body["outcome"] == "active" and body["station"] == active[2],
             [status, body])

    logged = b.query("SELECT subject, client, purpose FROM access_log "
                     "WHERE action = 'national_check' ORDER BY id")
    subjects = [row[0] for row in logged]
    c.expect("ordos's access log holds ezhou's queries with the peer named",
             subjects == [active[0], cancelled[0], unknown, active[0]]
             and all(row[1].startswith("peer:ezhou ") and "ezhou" in row[2] for row in logged),
             logged)
    requested = a.query("SELECT subject FROM access_log WHERE action = 'national_check_request'")
    c.expect("ezhou's access log holds the officer's checks",
             sorted(r[0] for r in requested) == sorted([active[0], cancelled[0], unknown]),
             requested)

    # A person without a number (supplementary, no-hukou registration): asked by name, sex and
    # birth date; ordos answers with the number it found.
    def check_identity(name, sex, birth_date):
        return a.request("POST", "/api/v1/national-check",
                         {"name": name, "sex": sex, "birth_date": birth_date}, user="police1")

    status, body, _ = check_identity(active[1], active[3], active[4])
    found = body.get("detail", {}).get("peers", [{}])[0].get("matches", []) if status == 200 else []
    c.expect("by name, sex and birth date: found active in ordos with its number",
             status == 200 and body["query"] == "identity" and body["outcome"] == "active"
             and body["peer"] == "ordos" and body["id_number"] != ""
             and active[0] in [m["id_number"] for m in found], [status, body])
    status, body, _ = check_identity("查无此人", "1", "1990-01-01")
    c.expect("by name, sex and birth date: no registration found",
             status == 200 and body["outcome"] == "none" and body["id_number"] == ""
             and body["detail"]["peers"][0]["matches"] == [], [status, body])
    status, body, _ = check_identity(active[1], "7", active[4])
    c.expect("a bad sex code is refused before asking",
             status == 400 and body["error"]["code"] == "national_check.sex", [status, body])
    query = ("/api/v1/national-check?name=" + urllib.parse.quote(active[1]) + "&sex=" + active[3]
             + "&birth_date=" + active[4])
    status, body, _ = b.request("GET", query, headers={"Authorization": "Bearer " + token_a_to_b})
    c.expect("ordos answers a query by identity directly",
             status == 200 and body["outcome"] == "active" and body["matches"]
             and body["matches"][0]["outcome"] == "active", [status, body])
    logged = b.query("SELECT subject, purpose FROM access_log WHERE action = 'national_check' "
                     "AND purpose LIKE '%出生日期%' ORDER BY id")
    c.expect("ordos logs the persons a query by identity found, and the query that found none",
             [row[0] for row in logged].count(active[0]) == 2
             and any(row[0] == "查无此人/1/1990-01-01" for row in logged), logged)

    b.stop()
    status, body, _ = check("police1", active[0], active[1])
    c.expect("with ordos down the check is unavailable",
             status == 503 and body["error"]["code"] == "national_check.peer"
             and "ordos" in body["error"]["message"], [status, body])


if __name__ == "__main__":
    sys.exit(main())
