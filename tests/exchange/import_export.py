#!/usr/bin/env python3
"""The batch command line `hukou export --out DIR` / `hukou import --dir DIR` end to end
(standard library only; SQLite).

README: UTF-8 CSV (persons.csv, households.csv); bad rows are reported row by row and nothing is
imported. src/exchange/csv.h: header row, RFC 4180 quoting, CRLF; export orders households by
household_number and persons by id_number, so that export → import into an empty database →
export gives byte-identical files.

Builds a small demo city (`hukou migrate`, `hukou demo --persons 200 --seed 5 --city ezhou`) and
checks that:
  - the export holds both files, UTF-8 with CRLF line ends, the documented header, one row per
    person and per household of the city, sorted as promised, and its rows say what the database
    holds (name, sex, birth date, household number, status of every person);
  - importing the export into a fresh database gives the same persons, households and addresses:
    counts, and every row compared column by column (database ids and timestamps aside; the
    household a person belongs to and a household's head compared by number);
  - exporting that database gives files byte for byte identical to the first export;
  - importing the same files again is refused (every row exists already) and writes nothing;
  - a corrupted copy (a wrong ID number check digit on one row, an unknown ethnicity code on
    another, a repeated ID number on a third) makes import exit non-zero, report exactly these
    three rows, each with its line number and field and a Chinese message, and leave the target
    database without persons, households, addresses or import change_log rows.

Usage: import_export.py --hukou build/hukou. Exit 0 passed, 1 failed, 77 skipped (no binary).
"""

import argparse
import csv
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import SKIP, Checks, as_text, find_hukou, run_hukou as run, \
    sqlite_rows as query  # noqa: E402

HAN = re.compile("[\u4e00-\u9fff]")
PERSON_COLUMNS = [
    "id_number", "name", "sex", "ethnicity", "birth_date", "former_names", "native_place",
    "birthplace", "religion", "education", "marital_status", "military_service", "workplace",
    "occupation", "phone", "father_name", "father_id_number", "mother_name", "mother_id_number",
    "guardian_name", "guardian_id_number", "spouse_name", "spouse_id_number", "household_number",
    "relation_to_head", "status", "cancel_reason", "cancel_date"]
HOUSEHOLD_COLUMNS = [
    "household_number", "kind", "division_code", "township_code", "community_code", "street",
    "house_number", "building", "unit_no", "room", "full_text"]
# Columns of a person compared between the two databases: all but the database's own (id,
# household_id — compared as the household number —, photo, timestamps, version).
PERSON_SQL = (
    "SELECT p.id_number, p.name, p.name_simplified, p.name_pinyin, p.sex, p.ethnicity, "
    "p.birth_date, p.former_names, p.native_place, p.birthplace, p.religion, p.education, "
    "p.marital_status, p.military_service, p.workplace, p.occupation, p.phone, p.father_name, "
    "p.father_id_number, p.mother_name, p.mother_id_number, p.guardian_name, "
    "p.guardian_id_number, p.spouse_name, p.spouse_id_number, h.household_number, "
    "p.relation_to_head, p.status, p.cancel_reason, p.cancel_date, p.station_code, "
    "(SELECT group_concat(f.name, '、') FROM (SELECT name FROM person_former_names "
    " WHERE person_id = p.id ORDER BY name) f) "
    "FROM persons p JOIN households h ON h.id = p.household_id ORDER BY p.id_number")
HOUSEHOLD_SQL = (
    "SELECT h.household_number, h.kind, h.station_code, h.status, hp.id_number, "
    "a.division_code, a.township_code, a.community_code, a.street, a.house_number, a.building, "
    "a.unit_no, a.room, a.full_text, a.station_code "
    "FROM households h JOIN addresses a ON a.id = h.address_id "
    "LEFT JOIN persons hp ON hp.id = h.head_person_id ORDER BY h.household_number")


def count(path, table, where=""):
    return query(path, f"SELECT COUNT(*) FROM {table} {where}")[0][0]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_csv(path, rows):
    """Writes rows as the exporter does (minimal quoting, CRLF) and returns the line each row
    starts on (1-based), counting line breaks inside quoted fields."""
    out, lines, line = io.StringIO(), [], 1
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        lines.append(line)
        before = out.tell()
        writer.writerow(row)
        line += out.getvalue()[before:].count("\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    return lines


def check_export_files(c, out_dir, db):
    """The first export against the database it came from."""
    for name, header in (("persons.csv", PERSON_COLUMNS), ("households.csv", HOUSEHOLD_COLUMNS)):
        data = read_bytes(os.path.join(out_dir, name))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            c.expect(f"{name} is UTF-8", False, str(e))
            continue
        c.expect(f"{name} is UTF-8 and ends every line with CRLF",
                 text.endswith("\r\n") and text.count("\n") == text.count("\r\n"),
                 text[-200:])
        rows = read_csv(os.path.join(out_dir, name))
        c.expect(f"{name} has the documented header", rows and rows[0] == header,
                 rows[0] if rows else rows)
        c.expect(f"{name}: every row has {len(header)} fields",
                 all(len(r) == len(header) for r in rows[1:]),
                 [r for r in rows[1:] if len(r) != len(header)][:3])
        keys = [r[0] for r in rows[1:]]
        c.expect(f"{name} is sorted by its first column, without repeats",
                 keys == sorted(set(keys)), keys[:10])
    persons = read_csv(os.path.join(out_dir, "persons.csv"))[1:]
    households = read_csv(os.path.join(out_dir, "households.csv"))[1:]
    c.expect("the export holds every person of the city",
             len(persons) == count(db, "persons"), [len(persons), count(db, "persons")])
    c.expect("the export holds every household of the city",
             len(households) == count(db, "households"), [len(households), count(db, "households")])
    in_db = {r[0]: r[1:] for r in query(
        db, "SELECT p.id_number, p.name, p.sex, p.birth_date, h.household_number, p.status, "
            "p.cancel_reason, p.cancel_date FROM persons p JOIN households h "
            "ON h.id = p.household_id")}
    col = {n: i for i, n in enumerate(PERSON_COLUMNS)}
    differ = []
    for r in persons:
        mine = tuple(r[col[k]] for k in ("name", "sex", "birth_date", "household_number",
                                           "status", "cancel_reason", "cancel_date"))
        theirs = in_db.get(r[0])
        if theirs is None or mine != tuple("" if v is None else v for v in theirs):
            differ.append([r[0], mine, theirs])
    c.expect("every exported person row says what the database holds", not differ, differ[:3])
    c.expect("the demo city has cancelled persons and former names (the rows are not trivial)",
             any(r[col["status"]] == "cancelled" for r in persons)
             and any(r[col["former_names"]] for r in persons), None)
    c.expect("the export is recorded in the access log",
             count(db, "access_log", "WHERE action = 'export'") == 1,
             query(db, "SELECT action, COUNT(*) FROM access_log GROUP BY action"))
    return persons


def compare_databases(c, a, b):
    for what, sql in (("persons", PERSON_SQL), ("households and their addresses", HOUSEHOLD_SQL)):
        ra, rb = query(a, sql), query(b, sql)
        c.expect(f"the imported database has as many {what} ({len(ra)})", len(ra) == len(rb),
                 [len(ra), len(rb)])
        differ = [(x, y) for x, y in zip(ra, rb) if x != y]
        c.expect(f"every row of {what} is the same, column by column", not differ, differ[:3])
    c.expect("as many addresses", count(a, "addresses") == count(b, "addresses"),
             [count(a, "addresses"), count(b, "addresses")])
    c.expect("every imported row has its change_log row (action import)",
             count(b, "change_log", "WHERE action = 'import'")
             == count(b, "persons") + count(b, "households"),
             [count(b, "change_log", "WHERE action = 'import'"), count(b, "persons"),
              count(b, "households")])
    c.expect("one audit entry for the import",
             count(b, "audit_log", "WHERE action = 'registry.import'") == 1, None)


def corrupt(src_dir, dst_dir):
    """A copy of the export with three bad person rows; returns {line: field} of the bad rows."""
    shutil.copytree(src_dir, dst_dir)
    path = os.path.join(dst_dir, "persons.csv")
    rows = read_csv(path)
    col = {n: i for i, n in enumerate(PERSON_COLUMNS)}
    data = range(1, len(rows))
    # Three distinct rows of active persons who are not heads (no head conflict to muddle it).
    plain = [i for i in data if rows[i][col["relation_to_head"]] != "02"
             and rows[i][col["status"]] == "active"]
    bad_digit, bad_ethnicity, original = plain[3], plain[len(plain) // 2], plain[-5]
    number = rows[bad_digit][0]
    rows[bad_digit][0] = number[:17] + ("0" if number[17] != "0" else "1")
    rows[bad_ethnicity][col["ethnicity"]] = "77"
    rows.append(list(rows[original]))  # the same person a second time, at the end
    lines = write_csv(path, rows)
    return {lines[bad_digit]: ("id_number", "校验"),
            lines[bad_ethnicity]: ("ethnicity", "民族"),
            lines[-1]: ("id_number", f"第{lines[original]}行")}


def run_test(hukou):
    c = Checks(show=as_text)
    with tempfile.TemporaryDirectory(prefix="hukou-exchange-") as work:
        a, b, t = (os.path.join(work, n + ".db") for n in ("city", "copy", "target"))
        for db in (a, b, t):
            r = run(hukou, "migrate", "--db", "sqlite:" + db)
            if not c.expect(f"migrate {os.path.basename(db)}", r.returncode == 0, r.stderr):
                return c
        r = run(hukou, "demo", "--persons", "200", "--seed", "5", "--city", "ezhou",
                "--db", "sqlite:" + a)
        if not c.expect("demo city built", r.returncode == 0, r.stderr[-800:]):
            return c
        c.expect("the demo city has 200 persons", count(a, "persons") == 200, count(a, "persons"))

        out1, out2 = os.path.join(work, "out1"), os.path.join(work, "out2")
        r = run(hukou, "export", "--out", out1, "--db", "sqlite:" + a)
        if not c.expect("export exits 0", r.returncode == 0, r.stdout + r.stderr):
            return c
        check_export_files(c, out1, a)

        r = run(hukou, "import", "--dir", out1, "--db", "sqlite:" + b)
        if not c.expect("import into a fresh database exits 0", r.returncode == 0,
                        r.stdout + r.stderr):
            return c
        compare_databases(c, a, b)

        r = run(hukou, "export", "--out", out2, "--db", "sqlite:" + b)
        c.expect("re-export exits 0", r.returncode == 0, r.stdout + r.stderr)
        for name in ("persons.csv", "households.csv"):
            one, two = read_bytes(os.path.join(out1, name)), read_bytes(os.path.join(out2, name))
            c.expect(f"re-exported {name} is byte for byte the first export ({len(one)} bytes)",
                     one == two, f"{len(one)} vs {len(two)} bytes")

        persons_before = count(b, "persons")
        r = run(hukou, "import", "--dir", out1, "--db", "sqlite:" + b)
        c.expect("importing the same files again exits non-zero", r.returncode != 0, r.returncode)
        c.expect("… saying the rows exist already", "已存在于系统中" in r.stdout + r.stderr,
                 (r.stdout + r.stderr)[:800])
        c.expect("… and writes nothing", count(b, "persons") == persons_before
                 and count(b, "change_log", "WHERE action = 'import'")
                 == persons_before + count(b, "households"), count(b, "persons"))

        bad = os.path.join(work, "bad")
        wanted = corrupt(out1, bad)
        r = run(hukou, "import", "--dir", bad, "--db", "sqlite:" + t)
        output = r.stdout + r.stderr
        c.expect("import of the corrupted copy exits non-zero", r.returncode != 0, r.returncode)
        reported = {}
        for line in output.splitlines():
            m = re.match(r"^(persons|households)\.csv:(\d+): (\w+|\*): (.*)$", line)
            if m:
                reported.setdefault((m.group(1), int(m.group(2))), []).append(
                    (m.group(3), m.group(4)))
        for line_no, (field, hint) in sorted(wanted.items()):
            got = reported.get(("persons", line_no), [])
            c.expect(f"persons.csv line {line_no} reported with field {field}, in Chinese "
                     f"(mentioning {hint})",
                     any(f == field and HAN.search(msg) and hint in msg for f, msg in got),
                     got or output[:1500])
        c.expect("no other row is reported",
                 set(reported) == {("persons", n) for n in wanted}, sorted(reported))
        c.expect("a summary in Chinese says nothing was imported",
                 "未导入" in output, output[-400:])
        for table in ("persons", "households", "addresses"):
            c.expect(f"the target database has no {table} afterwards", count(t, table) == 0,
                     count(t, table))
        c.expect("no import change_log or audit rows in the target",
                 count(t, "change_log", "WHERE action = 'import'") == 0
                 and count(t, "audit_log", "WHERE action = 'registry.import'") == 0, None)
    return c


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hukou", required=True)
    args = parser.parse_args()
    hukou = find_hukou(args.hukou, "exchange: skipped, no executable {path}")
    if hukou is None:
        return SKIP
    try:
        c = run_test(hukou)
    except (OSError, subprocess.SubprocessError, sqlite3.Error) as e:
        print(f"FAIL setup: {e}")
        return 1
    print(f"exchange: {c.count - c.failures} passed, {c.failures} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
