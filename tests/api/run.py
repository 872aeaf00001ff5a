#!/usr/bin/env python3
"""Black-box HTTP scenarios for the `hukou` server (standard library only).

Each tests/api/*.json file is one scenario:

  {"name": "...",
   "demo": {"persons": 300, "seed": 7, "city": "ezhou"},      optional; otherwise only migrate
   "peer": {"demo": {"persons": 50, "city": "ordos"}},        optional: a second instance
   "steps": [
     {"as": "police1",                 optional; logs in once per scenario, cookies kept per user
                                       (with the demo password; ${var} allowed)
      "request": {"method": "GET", "path": "/api/v1/persons?name=${name}",
                  "body": {...} | "raw_body": "..." | "raw_body_hex": "7b ff",
                  "raw_body_repeat": 3, "headers": {...}},
      "expect": {"status": 200, "json": {...}, "headers": {...}, "text": "re:..."},
      "save": {"var": "json.items.0.id"},
      "on": "peer"}]}                  optional: send this step to the peer instance

"peer" starts a second instance (its own fresh database, and its own demo city when "demo" is
given) and configures the two as national-check peers of each other (hukou serve --peer and
--peer-token on both; the main instance calls it "peer", the peer calls the main one "main").
Steps with "on": "peer" go to it (logins are per instance); ${peer_truth} is its ground truth,
${peer_url} its base URL and ${peer_token} the token it accepts from the main instance (to call a
peer-only route directly).

A step may carry "retry": {"times": N, "delay": S}: while the expectation is not met the request is
sent again, up to N more times, S seconds apart (default 0.5) — for what a server completes in the
background, e.g. a peer's answer to a queued request.

"raw_body" is sent as UTF-8 text, "raw_body_hex" as the bytes it spells (spaces ignored; for
invalid UTF-8); "raw_body_repeat": N sends either N times over (for oversized bodies).

For every scenario the runner creates a fresh database (SQLite: a temporary file; PostgreSQL:
CREATE DATABASE hukou_api_<random>, dropped afterwards), runs `hukou migrate` and, when asked,
`hukou demo`, starts `hukou serve` on a free port of 127.0.0.1, waits for /api/v1/health, runs the
steps, stops the server, and reports. The last line is `api: N passed, M failed` (scenarios).

Matching of expected JSON against the response:
  object      every expected key must be present and match (other keys are ignored)
  list        element-wise, as a prefix of the actual list
  "re:RE"     a string (or number) that RE matches (re.search; anchor with ^ and $)
  "$any"      any value, but the key must be present
  {"$op": …}  an object whose keys all start with "$" is a test:
              $exists (false: the key must be absent), $len, $min_len, $max_len, $items (list
              matched as a prefix), $contains (each expected element matches some element),
              $type (string number integer boolean null object array), $eq (exact equality),
              $not, $gt, $ge, $lt, $le
  otherwise   equality (booleans are not numbers)
${var} in paths, headers, bodies and expectations is replaced by a value saved by an earlier step
(`save`: "status", "json", "json.a.0.b", "header.Name", any of them cut with [a:b]) or a built-in: ${password}, ${backend},
${base_url}, ${unique} (a fresh random string per scenario), ${truth} (with a demo: the ground truth
that `hukou demo --truth` wrote). ${var.a.0.b} walks into a saved object or list, e.g.
${truth.sample_person.id_number}. In a path, values are URL-encoded.

Exit status: 0 all passed, 1 some failed, 2 usage error, 77 (skip) for --backend postgres without
--pg-url or HUKOU_TEST_PG_URL. `--self-test` checks the runner itself against a stand-in server.
"""

import argparse
import concurrent.futures
import fnmatch
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIP = 77
DEFAULT_PASSWORD = os.environ.get("HUKOU_DEMO_PASSWORD", "hukou123")
START_TIMEOUT = float(os.environ.get("HUKOU_API_START_TIMEOUT", "60"))
REQUEST_TIMEOUT = float(os.environ.get("HUKOU_API_REQUEST_TIMEOUT", "60"))
SETUP_TIMEOUT = float(os.environ.get("HUKOU_API_SETUP_TIMEOUT", "900"))
LOG_TAIL = 30


class ScenarioError(Exception):
    """A scenario file that is malformed (its author's mistake, reported as a failure)."""


class StepFailure(Exception):
    """A step whose response did not meet the expectation; args[0] is a list of lines."""

    def __init__(self, lines):
        super().__init__(lines if isinstance(lines, list) else [lines])
        self.lines = lines if isinstance(lines, list) else [lines]


# ---------------------------------------------------------------------------------------------
# Matching

MISSING = object()  # An absent object key.
OPERATORS = {"$exists", "$len", "$min_len", "$max_len", "$items", "$contains", "$type", "$eq",
             "$not", "$gt", "$ge", "$lt", "$le"}
TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def show(value, limit=200):
    """Compact JSON text of a value for messages, cut to `limit` characters."""
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[:limit] + "…"


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_operator(expected):
    if not isinstance(expected, dict) or not expected:
        return False
    dollar = [k for k in expected if k.startswith("$")]
    if dollar and len(dollar) != len(expected):
        raise ScenarioError(f"an object mixes $-tests and keys: {show(expected)}")
    unknown = set(dollar) - OPERATORS
    if unknown:
        raise ScenarioError(f"unknown test {sorted(unknown)[0]} in {show(expected)}")
    return bool(dollar)


def match(expected, actual, path="$"):
    """Mismatches of `actual` against `expected` (rules in the module doc), as message lines."""
    if is_operator(expected):
        return match_operators(expected, actual, path)
    if actual is MISSING:
        return [f"{path}: missing, expected {show(expected)}"]
    if expected == "$any":
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {show(actual)}"]
        out = []
        for key, value in expected.items():
            out += match(value, actual.get(key, MISSING), f"{path}.{key}")
        return out
    if isinstance(expected, list):
        return match_prefix(expected, actual, path)
    if isinstance(expected, str) and expected.startswith("re:"):
        if isinstance(actual, str) or is_number(actual):
            if re.search(expected[3:], str(actual)):
                return []
        return [f"{path}: expected a match of /{expected[3:]}/, got {show(actual)}"]
    if is_number(expected) and is_number(actual):
        return [] if expected == actual else [f"{path}: expected {show(expected)}, got {show(actual)}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path}: expected {show(expected)}, got {show(actual)}"]
    return []


def match_prefix(expected, actual, path):
    if not isinstance(actual, list):
        return [f"{path}: expected an array, got {show(actual)}"]
    if len(actual) < len(expected):
        return [f"{path}: expected at least {len(expected)} element(s), got {len(actual)}: "
                f"{show(actual)}"]
    out = []
    for i, value in enumerate(expected):
        out += match(value, actual[i], f"{path}[{i}]")
    return out


def match_operators(ops, actual, path):
    if "$exists" in ops:
        want = ops["$exists"]
        if not isinstance(want, bool):
            raise ScenarioError(f"$exists takes true or false at {path}")
        if want is False:
            return [] if actual is MISSING else [f"{path}: expected no such key, got {show(actual)}"]
        if actual is MISSING:
            return [f"{path}: missing"]
    if actual is MISSING:
        return [f"{path}: missing, expected {show(ops)}"]
    out = []
    for op, arg in ops.items():
        if op == "$exists":
            continue
        if op in ("$len", "$min_len", "$max_len"):
            if not isinstance(arg, int):
                raise ScenarioError(f"{op} takes an integer at {path}")
            if not isinstance(actual, (list, str, dict)):
                out.append(f"{path}: {op} needs an array, string or object, got {show(actual)}")
                continue
            n = len(actual)
            ok = {"$len": n == arg, "$min_len": n >= arg, "$max_len": n <= arg}[op]
            if not ok:
                out.append(f"{path}: expected {op} {arg}, got length {n}")
        elif op == "$items":
            if not isinstance(arg, list):
                raise ScenarioError(f"$items takes an array at {path}")
            out += match_prefix(arg, actual, path)
        elif op == "$contains":
            if not isinstance(arg, list):
                raise ScenarioError(f"$contains takes an array at {path}")
            if not isinstance(actual, list):
                out.append(f"{path}: expected an array, got {show(actual)}")
                continue
            for want in arg:
                if not any(not match(want, item, path) for item in actual):
                    out.append(f"{path}: no element matches {show(want)}")
        elif op == "$type":
            if arg not in TYPES:
                raise ScenarioError(f"$type {arg!r} is not one of {sorted(TYPES)} at {path}")
            if not TYPES[arg](actual):
                out.append(f"{path}: expected a value of type {arg}, got {show(actual)}")
        elif op == "$eq":
            if type(arg) is not type(actual) or arg != actual:
                if not (is_number(arg) and is_number(actual) and arg == actual):
                    out.append(f"{path}: expected exactly {show(arg)}, got {show(actual)}")
        elif op == "$not":
            if not match(arg, actual, path):
                out.append(f"{path}: expected anything but {show(arg)}, got {show(actual)}")
        else:  # $gt $ge $lt $le
            if not is_number(arg):
                raise ScenarioError(f"{op} takes a number at {path}")
            compare = {"$gt": lambda a: a > arg, "$ge": lambda a: a >= arg,
                       "$lt": lambda a: a < arg, "$le": lambda a: a <= arg}[op]
            if not is_number(actual) or not compare(actual):
                out.append(f"{path}: expected {op} {arg}, got {show(actual)}")
    return out


# ---------------------------------------------------------------------------------------------
# Variables

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\}")


def lookup(variables, name):
    """The value of ${name}; a dotted name walks into objects and lists ("truth.users.0")."""
    first, *parts = name.split(".")
    if first not in variables:
        raise ScenarioError(f"unknown variable ${{{first}}} (saved so far: "
                            f"{', '.join(sorted(variables)) or 'none'})")
    value = variables[first]
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and re.fullmatch(r"-?\d+", part) and \
                -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            raise ScenarioError(f"${{{name}}}: no {part!r} in {show(value)}")
    return value


def as_text(value):
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def substitute(value, variables):
    """`value` with ${name} replaced; a string that is exactly "${name}" takes the saved value
    with its JSON type."""
    if isinstance(value, str):
        whole = VAR.fullmatch(value)
        if whole:
            return lookup(variables, whole.group(1))
        return VAR.sub(lambda m: as_text(lookup(variables, m.group(1))), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    return value


def substitute_path(path, variables):
    """A request target with ${name} replaced by the URL-encoded value and non-ASCII encoded."""
    replaced = VAR.sub(lambda m: urllib.parse.quote(as_text(lookup(variables, m.group(1))),
                                                    safe=""), path)
    return urllib.parse.quote(replaced, safe="!#$%&'()*+,/:;=?@[]~")


def extract(response, where):
    """The value at `where` ("status", "json", "json.a.0.b", "header.Name") of a response; a
    trailing [a:b] cuts a string or list like Python ("json.id_number[0:6]")."""
    cut = re.fullmatch(r"(.*)\[(-?\d*):(-?\d*)\]", where)
    if cut:
        value = extract(response, cut.group(1))
        if not isinstance(value, (str, list)):
            raise StepFailure(f"cannot save {where}: {show(value)} is not a string or list")
        return value[int(cut.group(2)) if cut.group(2) else None:
                     int(cut.group(3)) if cut.group(3) else None]
    if where == "status":
        return response.status
    if where.startswith("header."):
        value = response.header(where[len("header."):])
        if value is None:
            raise StepFailure(f"cannot save {where}: no such header")
        return value
    if where != "json" and not where.startswith("json."):
        raise ScenarioError(f"save path must be status, json, json.… or header.…: {where!r}")
    if response.json is MISSING:
        raise StepFailure(f"cannot save {where}: the response is not JSON")
    value = response.json
    for part in where.split(".")[1:]:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and re.fullmatch(r"-?\d+", part) and \
                -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            raise StepFailure(f"cannot save {where}: no {part!r} in {show(value)}")
    return value


# ---------------------------------------------------------------------------------------------
# HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else MISSING
        except (UnicodeDecodeError, ValueError):
            self.json = MISSING

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def text(self):
        return self.body.decode("utf-8", errors="replace")


class CookieJar:
    """The cookies of one user: name → value (domain, path and expiry are not needed here)."""

    def __init__(self):
        self.cookies = {}

    def update(self, headers):
        for key, value in headers:
            if key.lower() != "set-cookie":
                continue
            first, *attributes = [part.strip() for part in value.split(";")]
            name, _, cookie_value = first.partition("=")
            attrs = {a.partition("=")[0].lower(): a.partition("=")[2] for a in attributes}
            if cookie_value == "" or attrs.get("max-age", "1").strip() in ("0", "-1"):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value

    def header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def http_request(port, method, target, body=None, headers=None, jar=None):
    """Sends one request to 127.0.0.1:port and returns the Response (new connection each time)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        all_headers = {"Accept": "application/json"}
        if jar is not None and jar.cookies:
            all_headers["Cookie"] = jar.header()
        all_headers.update(headers or {})
        conn.request(method, target, body=body, headers=all_headers)
        raw = conn.getresponse()
        response = Response(raw.status, raw.getheaders(), raw.read())
    finally:
        conn.close()
    if jar is not None:
        jar.update(response.headers)
    return response


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Scenario files

SCENARIO_KEYS = {"name", "description", "demo", "peer", "steps"}
PEER_KEYS = {"demo"}
DEMO_KEYS = {"persons", "seed", "city"}
STEP_KEYS = {"as", "note", "request", "expect", "save", "on", "retry"}
RETRY_KEYS = {"times", "delay"}
REQUEST_KEYS = {"method", "path", "body", "raw_body", "raw_body_hex", "raw_body_repeat", "headers"}
EXPECT_KEYS = {"status", "json", "headers", "text"}


def check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where} must be an object")
    unknown = set(obj) - allowed
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def lint(expected):
    """Raises ScenarioError for a malformed test ($-object) anywhere in `expected`."""
    if isinstance(expected, dict):
        is_operator(expected)
        for value in expected.values():
            lint(value)
    elif isinstance(expected, list):
        for value in expected:
            lint(value)


def load_scenario(path):
    """The scenario in `path`, checked for unknown keys and missing parts (ScenarioError)."""
    try:
        with open(path, encoding="utf-8") as f:
            scenario = json.load(f)
    except ValueError as e:
        raise ScenarioError(f"{os.path.basename(path)} is not valid JSON: {e}") from e
    check_keys(scenario, SCENARIO_KEYS, "scenario")
    scenario.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    if "demo" in scenario:
        check_keys(scenario["demo"], DEMO_KEYS, "demo")
    if "peer" in scenario:
        check_keys(scenario["peer"], PEER_KEYS, "peer")
        if "demo" in scenario["peer"]:
            check_keys(scenario["peer"]["demo"], DEMO_KEYS, "peer demo")
    steps = scenario.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError("scenario needs a non-empty list of steps")
    for i, step in enumerate(steps, 1):
        check_keys(step, STEP_KEYS, f"step {i}")
        check_keys(step.get("request"), REQUEST_KEYS, f"step {i} request")
        if "retry" in step:
            check_keys(step["retry"], RETRY_KEYS, f"step {i} retry")
            times, delay = step["retry"].get("times", 0), step["retry"].get("delay", 0.5)
            if not (type(times) is int and 0 <= times <= 100) or \
                    not (is_number(delay) and 0 <= delay <= 10):
                raise ScenarioError(f"step {i}: retry.times must be 0–100 and retry.delay 0–10 s")
        request = step["request"]
        if not isinstance(request.get("path"), str) or not request["path"].startswith("/"):
            raise ScenarioError(f"step {i}: request.path must start with /")
        if len({"body", "raw_body", "raw_body_hex"} & set(request)) > 1:
            raise ScenarioError(f"step {i}: give only one of body, raw_body, raw_body_hex")
        if "raw_body" in request and not isinstance(request["raw_body"], str):
            raise ScenarioError(f"step {i}: raw_body must be a string")
        if "raw_body_hex" in request:
            try:
                bytes.fromhex(request["raw_body_hex"])
            except (TypeError, ValueError) as e:
                raise ScenarioError(f"step {i}: raw_body_hex must be hexadecimal digits") from e
        if "raw_body_repeat" in request and not (
                type(request["raw_body_repeat"]) is int and request["raw_body_repeat"] >= 1 and
                ("raw_body" in request or "raw_body_hex" in request)):
            raise ScenarioError(f"step {i}: raw_body_repeat must be a positive integer "
                                "beside raw_body or raw_body_hex")
        if "expect" in step:
            check_keys(step["expect"], EXPECT_KEYS, f"step {i} expect")
            lint(step["expect"])
        if "save" in step and not isinstance(step["save"], dict):
            raise ScenarioError(f"step {i}: save must be an object")
        if "as" in step and not (step["as"] is None or isinstance(step["as"], str)):
            raise ScenarioError(f"step {i}: as must be a login name")
        if "on" in step and (step["on"] not in ("main", "peer") or
                             (step["on"] == "peer" and "peer" not in scenario)):
            raise ScenarioError(f'step {i}: on must be "main", or "peer" with a "peer" instance')
    return scenario


# ---------------------------------------------------------------------------------------------
# Databases and the server

def run_psql(admin_url, sql):
    psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    result = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", sql],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({sql}): {result.stderr.strip()}")


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class Database:
    """A fresh, empty database for one scenario; drop() removes it."""

    def __init__(self, backend, workdir, pg_url):
        self.backend = backend
        self.pg_url = pg_url
        if backend == "sqlite":
            self.url = "sqlite:" + os.path.join(workdir, "hukou.db")
        else:
            self.name = "hukou_api_" + secrets.token_hex(6)
            run_psql(pg_url, f"CREATE DATABASE {self.name}")
            self.url = with_database(pg_url, self.name)

    def drop(self):
        if self.backend == "postgres":
            run_psql(self.pg_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def tail(path, lines=LOG_TAIL):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()[-lines:]
    except OSError:
        return []


class Server:
    """`hukou serve` on a free port of 127.0.0.1 (or on `port`, chosen beforehand because a peer
    already points at it), with `extra_args`, started and checked by start()."""

    def __init__(self, hukou, db_url, workdir, port=None, extra_args=()):
        self.hukou = hukou
        self.db_url = db_url
        self.workdir = workdir
        self.log = os.path.join(workdir, "server.log")
        self.process = None
        self.fixed_port = port
        self.port = port
        self.extra_args = list(extra_args)

    def start(self):
        for _ in range(1 if self.fixed_port else 3):  # A port taken meanwhile: try another.
            self.port = self.fixed_port or free_port()
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [self.hukou, "serve", "--db", self.db_url, "--address", "127.0.0.1",
                     "--port", str(self.port), *self.extra_args],
                    cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if http_request(self.port, "GET", "/api/v1/health").status == 200:
                        return
                except OSError:
                    pass
                time.sleep(0.1)
            if self.process.poll() is None:
                self.stop()
                raise StepFailure([f"server not healthy after {START_TIMEOUT:.0f}s; log:"] +
                                  ["  " + line for line in tail(self.log)])
            if "in use" not in "\n".join(tail(self.log, 5)).lower():
                break
        raise StepFailure([f"server exited with {self.process.returncode} at start; log:"] +
                          ["  " + line for line in tail(self.log)])

    def stop(self):
        """Stops the server; a message when it had died or ended abnormally, else None."""
        if self.process is None:
            return None
        died = self.process.poll()
        if died is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return "server did not stop within 15 s of SIGTERM"
            if code not in (0, -signal.SIGTERM, 128 + signal.SIGTERM):
                return f"server exited with {code} after SIGTERM"
            return None
        return f"server died during the scenario (exit {died})"


def run_cli(hukou, args, workdir):
    result = subprocess.run([hukou, *args], cwd=workdir, capture_output=True, text=True,
                            errors="replace", timeout=SETUP_TIMEOUT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).splitlines()[-LOG_TAIL:]
        raise StepFailure([f"hukou {args[0]} exited with {result.returncode}:"] +
                          ["  " + line for line in output])


# ---------------------------------------------------------------------------------------------
# Running

class Outcome:
    def __init__(self, name):
        self.name = name
        self.ok = True
        self.lines = []
        self.steps = 0
        self.seconds = 0.0


def check_response(expect, response, variables):
    expect = substitute(expect, variables) if expect else {"status": "2xx"}
    problems = []
    status = expect.get("status", "2xx")
    statuses = status if isinstance(status, list) else [status]
    if not any(s == response.status or (isinstance(s, str) and s.endswith("xx") and
                                        str(response.status)[0] == s[0]) for s in statuses):
        problems.append(f"status: expected {show(status)}, got {response.status}")
    if "json" in expect:
        if response.json is MISSING:
            problems.append("body: expected JSON, got: " + response.text()[:300])
        else:
            problems += match(expect["json"], response.json)
    for name, want in (expect.get("headers") or {}).items():
        got = response.header(name)
        problems += match(want, MISSING if got is None else got, f"header {name}")
    if "text" in expect:
        problems += match(expect["text"], response.text(), "body text")
    return problems


def run_steps(scenario, ports, outcome, variables, verbose):
    """Runs the steps; `ports` maps "main" (and "peer") to the instances' ports."""
    jars = {}
    for index, step in enumerate(scenario["steps"], 1):
        request = step["request"]
        method = request.get("method", "GET").upper()
        on = step.get("on", "main")
        port = ports[on]
        label = f"step {index} of {len(scenario['steps'])}: {method} {request['path']}"
        if on != "main":
            label += f" [{on}]"
        if step.get("note"):
            label += f" ({step['note']})"
        try:
            user = substitute(step.get("as"), variables)
            jar = jars.get((on, user))
            if jar is None:
                jar = jars[(on, user)] = CookieJar()
                if user is not None:
                    login = http_request(
                        port, "POST", "/api/v1/auth/login",
                        json.dumps({"login": user, "password": DEFAULT_PASSWORD}).encode(),
                        {"Content-Type": "application/json"}, jar)
                    if login.status != 200:
                        del jars[(on, user)]
                        raise StepFailure([f"login as {user} failed: {login.status} "
                                           f"{login.text()[:300]}"])
            target = substitute_path(request["path"], variables)
            headers = substitute(request.get("headers") or {}, variables)
            body = None
            if "body" in request:
                body = json.dumps(substitute(request["body"], variables),
                                  ensure_ascii=False).encode("utf-8")
            elif "raw_body" in request:
                body = substitute(request["raw_body"], variables)
                body = as_text(body).encode("utf-8")
            elif "raw_body_hex" in request:
                body = bytes.fromhex(request["raw_body_hex"])
            if body is not None:
                body *= request.get("raw_body_repeat", 1)
            if body is not None and not any(h.lower() == "content-type" for h in headers):
                headers["Content-Type"] = "application/json"
            # "retry": {"times": N, "delay": S} sends the request again (up to N more times,
            # S seconds apart) while the expectation is not met: for effects that a server
            # completes in the background (a peer's answer to a queued request).
            retry = step.get("retry") or {}
            attempts_left = int(retry.get("times", 0))
            while True:
                response = http_request(port, method, target, body, headers, jar)
                problems = check_response(step.get("expect"), response, variables)
                if not problems or attempts_left <= 0:
                    break
                attempts_left -= 1
                time.sleep(float(retry.get("delay", 0.5)))
            if problems:
                raise StepFailure(problems + ["response: " + str(response.status) + " " +
                                              response.text()[:1500]])
            for name, where in (step.get("save") or {}).items():
                variables[name] = extract(response, where)
            outcome.steps += 1
            if verbose:
                outcome.lines.append(f"  ok   {label} → {response.status}")
        except (StepFailure, ScenarioError) as e:
            lines = e.lines if isinstance(e, StepFailure) else [f"scenario error: {e}"]
            outcome.lines.append(f"  FAIL {label}")
            outcome.lines += ["    " + line for line in lines]
            return False
        except OSError as e:
            outcome.lines.append(f"  FAIL {label}")
            outcome.lines.append(f"    request failed: {e}")
            return False
    return True


def prepare(opts, workdir, demo, databases):
    """A fresh database in `workdir` (appended to `databases` for dropping), migrated and, when
    `demo` is given, filled with a demo city; returns its URL and the ground truth (or None)."""
    database = Database(opts.backend, workdir, opts.pg_url)
    databases.append(database)
    run_cli(opts.hukou, ["migrate", "--db", database.url], workdir)
    if demo is None:
        return database.url, None
    truth_path = os.path.join(workdir, "truth.json")
    run_cli(opts.hukou, ["demo", "--db", database.url,
                         "--persons", str(demo.get("persons", 300)),
                         "--seed", str(demo.get("seed", 1)),
                         "--city", str(demo.get("city", "ezhou")),
                         "--truth", truth_path], workdir)
    try:
        with open(truth_path, encoding="utf-8") as f:
            return database.url, json.load(f)
    except (OSError, ValueError) as e:
        raise StepFailure(f"hukou demo wrote no readable ground truth: {e}") from e


def start_pair(opts, main_url, peer_url, workdir, peer_dir, servers):
    """Starts the peer, then the main instance, each the other's national-check peer."""
    main_port = free_port()
    to_peer, to_main = secrets.token_hex(16), secrets.token_hex(16)
    peer = Server(opts.hukou, peer_url, peer_dir, extra_args=[
        "--peer", f"main=http://127.0.0.1:{main_port}={to_main}",
        "--peer-token", f"main={to_peer}"])
    peer.peer_token = to_peer  # what the peer accepts from the main instance
    servers.append(("peer", peer))
    peer.start()
    main = Server(opts.hukou, main_url, workdir, port=main_port, extra_args=[
        "--peer", f"peer=http://127.0.0.1:{peer.port}={to_peer}",
        "--peer-token", f"peer={to_main}"])
    servers.append(("main", main))
    main.start()
    return main, peer


def run_scenario(path, opts):
    started = time.monotonic()
    outcome = Outcome(os.path.splitext(os.path.basename(path))[0])
    workdir = tempfile.mkdtemp(prefix="hukou-api-")
    databases, servers = [], []  # servers: (label, Server)
    try:
        scenario = load_scenario(path)
        outcome.name = f"{outcome.name} ({scenario['name']})" if scenario["name"] != outcome.name \
            else outcome.name
        main_url, truth = prepare(opts, workdir, scenario.get("demo"), databases)
        variables = {"password": DEFAULT_PASSWORD, "backend": opts.backend,
                     "unique": secrets.token_hex(4)}
        if "peer" in scenario:
            peer_dir = os.path.join(workdir, "peer")
            os.mkdir(peer_dir)
            peer_url, peer_truth = prepare(opts, peer_dir, scenario["peer"].get("demo"),
                                           databases)
            server, peer = start_pair(opts, main_url, peer_url, workdir, peer_dir, servers)
            ports = {"main": server.port, "peer": peer.port}
            variables["peer_url"] = f"http://127.0.0.1:{peer.port}"
            variables["peer_token"] = peer.peer_token
            if peer_truth is not None:
                variables["peer_truth"] = peer_truth
        else:
            server = Server(opts.hukou, main_url, workdir)
            servers.append(("main", server))
            server.start()
            ports = {"main": server.port}
        variables["base_url"] = f"http://127.0.0.1:{server.port}"
        if truth is not None:
            variables["truth"] = truth
        outcome.ok = run_steps(scenario, ports, outcome, variables, opts.verbose)
    except ScenarioError as e:
        outcome.ok = False
        outcome.lines.append(f"  scenario error: {e}")
    except StepFailure as e:
        outcome.ok = False
        outcome.lines += ["  " + line for line in e.lines]
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        outcome.ok = False
        outcome.lines.append(f"  setup failed: {e}")
    finally:
        for label, server in servers:
            problem = server.stop()
            if problem:
                outcome.ok = False
                outcome.lines.append("  " + (problem if len(servers) == 1 else
                                             f"{label} server: {problem}"))
        if not outcome.ok:
            for label, server in servers:
                name = "server" if len(servers) == 1 else f"{label} server"
                lines = tail(server.log)
                outcome.lines.append(f"  {name} log (last lines):" + ("" if lines else " (empty)"))
                outcome.lines += ["    " + line for line in lines]
        for database in databases:
            try:
                database.drop()
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                outcome.lines.append(f"  warning: {e}")
        if opts.keep and not outcome.ok:
            outcome.lines.append(f"  kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    outcome.seconds = time.monotonic() - started
    return outcome


def select(paths, pattern):
    if not pattern:
        return paths
    chosen = []
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path, encoding="utf-8") as f:
                name = json.load(f).get("name", stem)
        except (OSError, ValueError, AttributeError):
            name = stem
        if any(c in pattern for c in "*?["):
            hit = fnmatch.fnmatch(stem, pattern) or fnmatch.fnmatch(str(name), pattern)
        else:
            hit = pattern in stem or pattern in str(name)
        if hit:
            chosen.append(path)
    return chosen


def run_all(opts):
    paths = sorted(os.path.join(opts.dir, f) for f in os.listdir(opts.dir) if f.endswith(".json"))
    paths = select(paths, opts.filter)
    if not paths:
        print(f"api: no scenario in {opts.dir} matches {opts.filter!r}", file=sys.stderr)
        print("api: 0 passed, 0 failed")
        return 1
    lock = threading.Lock()
    passed = failed = 0

    def report(outcome):
        nonlocal passed, failed
        with lock:
            if outcome.ok:
                passed += 1
            else:
                failed += 1
            word = "PASS" if outcome.ok else "FAIL"
            print(f"{word} {outcome.name} ({outcome.steps} step(s), {outcome.seconds:.1f}s)")
            for line in outcome.lines:
                print(line)
            sys.stdout.flush()

    print(f"api: {len(paths)} scenario(s), backend {opts.backend}, {opts.hukou}", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for future in [pool.submit(run_scenario, p, opts) for p in paths]:
            report(future.result())
    print(f"api: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


# ---------------------------------------------------------------------------------------------
# Self-test: the matcher, variables and the whole runner against a stand-in `hukou`.

FAKE_USERS = {"admin", "police1"}


def fake_hukou(argv):
    """A stand-in for the hukou binary: migrate, demo and a tiny serve (for --self-test only)."""
    command, args = argv[0], dict(zip(argv[1::2], argv[2::2]))
    db = args["--db"]
    marker = db[len("sqlite:"):] if db.startswith("sqlite:") else os.path.join(os.getcwd(), "pg")
    if command == "migrate":
        open(marker, "w").close()
        return 0
    if command == "demo":
        with open(marker, "w") as f:
            f.write("demo")
        with open(args["--truth"], "w") as f:
            json.dump({"seed": int(args["--seed"]), "users": [{"login": u} for u in
                                                              sorted(FAKE_USERS)]}, f)
        return 0
    if command != "serve":
        return 2
    import http.server

    with open(marker) as f:
        has_users = f.read() == "demo"
    sessions = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body, cookie=None):
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if cookie:
                self.send_header("Set-Cookie", cookie)
            self.end_headers()
            self.wfile.write(data)

        def user(self):
            for part in (self.headers.get("Cookie") or "").split(";"):
                name, _, value = part.strip().partition("=")
                if name == "hukou_session" and value in sessions:
                    return sessions[value]
            return None

        def do_GET(self):
            path = urllib.parse.unquote(self.path)
            if path == "/api/v1/health":
                self.reply(200, {"status": "ok", "backend": "postgres" if marker.endswith("pg")
                                 else "sqlite", "peer": args.get("--peer"),
                                 "peer_token": args.get("--peer-token")})
            elif path == "/api/v1/auth/me":
                user = self.user()
                if user:
                    self.reply(200, {"user": {"login": user, "role": "police"}})
                else:
                    self.reply(401, {"error": {"code": "auth.required", "message": "请先登录"}})
            elif path.startswith("/api/v1/persons?"):
                if self.user():
                    self.reply(200, {"items": [{"id": 1, "name": "张三"}], "total": 1})
                else:
                    self.reply(401, {"error": {"code": "auth.required", "message": "请先登录"}})
            elif path.startswith("/api/v1/id-numbers/"):
                number = path.rsplit("/", 1)[1]
                self.reply(200, {"valid": True, "id_number": number, "sex": "female",
                                 "birth_date": "1949-12-31", "division_code": number[:6]})
            else:
                self.reply(404, {"error": {"code": "http.not_found", "message": "未找到"}})

        def do_POST(self):
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if len(data) > 4096:
                self.reply(413, {"error": {"code": "request.too_large", "message": "请求体过大"}})
                return
            if self.path == "/api/v1/auth/logout":
                for token in [t for t, u in sessions.items() if u == self.user()]:
                    del sessions[token]
                self.reply(200, {}, "hukou_session=; Max-Age=0; Path=/")
                return
            if self.path != "/api/v1/auth/login":
                self.reply(404, {"error": {"code": "http.not_found", "message": "未找到"}})
                return
            try:
                body = json.loads(data)
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                self.reply(400, {"error": {"code": "http.bad_json", "message": "请求不是有效的 JSON"}})
                return
            if has_users and body.get("login") in FAKE_USERS and \
                    body.get("password") == DEFAULT_PASSWORD:
                token = secrets.token_hex(8)
                sessions[token] = body["login"]
                self.reply(200, {"user": {"login": body["login"]}},
                           f"hukou_session={token}; HttpOnly; SameSite=Strict; Path=/")
            else:
                self.reply(401, {"error": {"code": "auth.invalid_credentials",
                                           "message": "用户名或密码错误"}})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(args["--port"])), Handler)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    return 0


class MatchTest(unittest.TestCase):
    def test_object_subset_and_missing(self):
        self.assertEqual(match({"a": 1}, {"a": 1, "b": 2}), [])
        self.assertEqual(len(match({"a": 1, "c": 3}, {"a": 1})), 1)
        self.assertIn("$.a.b", match({"a": {"b": "x"}}, {"a": {"b": "y"}})[0])

    def test_lists_are_prefixes(self):
        self.assertEqual(match([1, 2], [1, 2, 3]), [])
        self.assertTrue(match([1, 2, 3], [1, 2]))
        self.assertTrue(match([2], [1, 2]))
        self.assertEqual(match({"items": [{"id": "$any"}]}, {"items": [{"id": 5}, {"id": 6}]}), [])

    def test_len_and_contains(self):
        self.assertEqual(match({"$len": 2}, [1, 2]), [])
        self.assertTrue(match({"$len": 1}, [1, 2]))
        self.assertEqual(match({"$len": 2, "$items": [1]}, [1, 9]), [])
        self.assertEqual(match({"$min_len": 1, "$max_len": 3}, "ab"), [])
        self.assertEqual(match({"$contains": [{"n": "b"}]}, [{"n": "a"}, {"n": "b"}]), [])
        self.assertTrue(match({"$contains": [{"n": "c"}]}, [{"n": "a"}]))

    def test_regex_any_exists(self):
        self.assertEqual(match("re:^[\u4e00-\u9fff]+$", "用户名错误"), [])
        self.assertTrue(match("re:^[\u4e00-\u9fff]+$", "wrong"))
        self.assertEqual(match("re:^\\d+$", 42), [])
        self.assertTrue(match("re:x", None))
        self.assertEqual(match({"a": "$any"}, {"a": None}), [])
        self.assertTrue(match({"a": "$any"}, {}))
        self.assertEqual(match({"a": {"$exists": False}}, {"b": 1}), [])
        self.assertTrue(match({"a": {"$exists": False}}, {"a": None}))
        self.assertEqual(match({"a": {"$exists": True}}, {"a": 0}), [])
        self.assertTrue(match({"a": {"$exists": True}}, {}))

    def test_scalars_are_strict(self):
        self.assertTrue(match(1, True))
        self.assertTrue(match(True, 1))
        self.assertTrue(match("1", 1))
        self.assertEqual(match(1, 1.0), [])
        self.assertEqual(match(None, None), [])
        self.assertTrue(match(None, 0))
        self.assertTrue(match({"a": 1}, [1]))

    def test_operators(self):
        self.assertEqual(match({"$type": "integer"}, 3), [])
        self.assertTrue(match({"$type": "integer"}, True))
        self.assertEqual(match({"$ge": 1, "$lt": 10}, 1), [])
        self.assertTrue(match({"$gt": 1}, 1))
        self.assertEqual(match({"$eq": {"a": 1}}, {"a": 1}), [])
        self.assertTrue(match({"$eq": {"a": 1}}, {"a": 1, "b": 2}))
        self.assertEqual(match({"$not": "re:^x"}, "yx"), [])
        self.assertTrue(match({"$not": {"$exists": True}}, 5))

    def test_malformed_expectations(self):
        with self.assertRaises(ScenarioError):
            match({"$len": 1, "a": 2}, [1])
        with self.assertRaises(ScenarioError):
            match({"$size": 1}, [1])
        with self.assertRaises(ScenarioError):
            match({"$type": "str"}, "x")


class VariableTest(unittest.TestCase):
    def test_substitute_keeps_types(self):
        v = {"id": 7, "name": "张三"}
        self.assertEqual(substitute({"x": "${id}", "y": "n${id}", "z": ["${name}"]}, v),
                         {"x": 7, "y": "n7", "z": ["张三"]})
        with self.assertRaises(ScenarioError):
            substitute("${nope}", v)

    def test_dotted_variables_walk_into_values(self):
        v = {"truth": {"users": [{"login": "admin"}, {"login": "police1"}], "seed": 7}}
        self.assertEqual(substitute("${truth.users.1.login}", v), "police1")
        self.assertEqual(substitute("${truth.users.-1}", v), {"login": "police1"})
        self.assertEqual(substitute("s=${truth.seed}", v), "s=7")
        self.assertEqual(substitute_path("/x/${truth.users.0.login}", v), "/x/admin")
        for bad in ("${truth.nope}", "${truth.users.2}", "${truth.seed.x}"):
            with self.assertRaises(ScenarioError):
                substitute(bad, v)

    def test_paths_are_encoded(self):
        self.assertEqual(substitute_path("/p?name=${n}&x=1", {"n": "张 三&"}),
                         "/p?name=%E5%BC%A0%20%E4%B8%89%26&x=1")
        self.assertEqual(substitute_path("/p?name=李四", {}), "/p?name=%E6%9D%8E%E5%9B%9B")

    def test_extract(self):
        r = Response(200, [("X-Id", "9")], b'{"items":[{"id":3}],"user":{"login":"a"}}')
        self.assertEqual(extract(r, "json.items.0.id"), 3)
        self.assertEqual(extract(r, "json.items.-1.id"), 3)
        self.assertEqual(extract(r, "json.user"), {"login": "a"})
        self.assertEqual(extract(r, "status"), 200)
        self.assertEqual(extract(r, "header.x-id"), "9")
        self.assertEqual(extract(r, "json.user.login[0:1]"), "a")
        self.assertEqual(extract(r, "header.x-id[1:]"), "")
        self.assertEqual(extract(r, "json.items[-1:]"), [{"id": 3}])
        with self.assertRaises(StepFailure):
            extract(r, "json.items.0.id[0:1]")
        with self.assertRaises(StepFailure):
            extract(r, "json.items.1.id")

    def test_cookies(self):
        jar = CookieJar()
        jar.update([("Set-Cookie", "hukou_session=abc; HttpOnly; Path=/")])
        self.assertEqual(jar.header(), "hukou_session=abc")
        jar.update([("Set-Cookie", "hukou_session=; Max-Age=0")])
        self.assertEqual(jar.header(), "")

    def test_with_database(self):
        self.assertEqual(with_database("postgresql://postgres@127.0.0.1:5/postgres?x=1", "d"),
                         "postgresql://postgres@127.0.0.1:5/d?x=1")

    def test_status_patterns(self):
        r = Response(204, [], b"")
        self.assertEqual(check_response(None, r, {}), [])
        self.assertEqual(check_response({"status": [200, 204]}, r, {}), [])
        self.assertTrue(check_response({"status": 200}, r, {}))


class RunnerTest(unittest.TestCase):
    """Runs scenario files through the whole runner against the stand-in server."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hukou-api-selftest-")
        self.hukou = os.path.join(self.dir, "hukou")
        with open(self.hukou, "w") as f:
            f.write(f'#!/bin/sh\nexec "{sys.executable}" "{os.path.abspath(__file__)}" '
                    '--fake-hukou "$@"\n')
        os.chmod(self.hukou, 0o755)
        self.scenarios = os.path.join(self.dir, "scenarios")
        os.mkdir(self.scenarios)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_runner(self, *extra):
        result = subprocess.run([sys.executable, os.path.abspath(__file__), "--hukou", self.hukou,
                                 "--dir", self.scenarios, *extra],
                                capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout + result.stderr

    def write(self, name, scenario):
        with open(os.path.join(self.scenarios, name + ".json"), "w") as f:
            json.dump(scenario, f, ensure_ascii=False)

    def test_project_scenario_files_are_well_formed(self):
        names = sorted(f for f in os.listdir(HERE) if f.endswith(".json"))
        self.assertTrue(names)
        for name in names:
            with self.subTest(name):
                load_scenario(os.path.join(HERE, name))

    def test_passing_scenarios(self):
        chinese = "re:[\u4e00-\u9fff]"
        self.write("errors", {"steps": [
            {"request": {"path": "/api/v1/health"},
             "expect": {"status": 200, "json": {"status": "ok", "backend": "re:^${backend}$"}}},
            {"request": {"method": "POST", "path": "/api/v1/auth/login",
                         "body": {"login": "admin", "password": "${password}"}},
             "expect": {"status": 401, "json": {"error": {"message": chinese}},
                        "headers": {"Set-Cookie": {"$exists": False}}}},
            {"request": {"method": "POST", "path": "/api/v1/auth/login", "raw_body": "{"},
             "expect": {"status": 400, "json": {"error": {"code": "re:.", "message": chinese}}}},
            {"request": {"method": "POST", "path": "/api/v1/auth/login",
                         "raw_body_hex": "7b 22 6c 6f 67 69 6e 22 3a 22 ff 22 7d"},
             "expect": {"status": 400, "json": {"error": {"code": "http.bad_json"}}}},
            {"request": {"method": "POST", "path": "/api/v1/auth/login", "raw_body": "[1]",
                         "raw_body_repeat": 2},
             "expect": {"status": 400}},
            {"request": {"method": "POST", "path": "/api/v1/auth/login", "raw_body": "x",
                         "raw_body_repeat": 5000},
             "expect": {"status": 413, "json": {"error": {"code": "request.too_large"}}}}]})
        self.write("session", {"demo": {"persons": 5}, "steps": [
            {"as": "police1", "request": {"path": "/api/v1/auth/me"},
             "expect": {"json": {"user": {"login": "police1", "password": {"$exists": False}}}}},
            {"as": "police1", "request": {"method": "POST", "path": "/api/v1/auth/logout"}},
            {"as": "police1", "request": {"path": "/api/v1/auth/me"}, "expect": {"status": 401}},
            {"as": "admin", "request": {"path": "/api/v1/persons?name=张&x=${unique}"},
             "expect": {"json": {"items": {"$len": 1, "$items": [{"name": "张三"}]}}},
             "save": {"name": "json.items.0.name"}},
            {"request": {"path": "/api/v1/id-numbers/${name}"},
             "expect": {"json": {"id_number": "${name}"}}},
            {"as": "${truth.users.0.login}", "request": {"path": "/api/v1/auth/me"},
             "expect": {"json": {"user": {"login": "admin"}}}},
            {"request": {"path": "/api/v1/id-numbers/${truth.users.0.login}"},
             "expect": {"json": {"id_number": "admin"}}}]})
        code, out = self.run_runner("-j", "2")
        self.assertEqual(code, 0, out)
        self.assertEqual(out.strip().splitlines()[-1], "api: 2 passed, 0 failed", out)

    def test_failures_are_reported_with_a_diff(self):
        self.write("good", {"demo": {"persons": 10},
                            "steps": [{"as": "police1", "request": {"path": "/api/v1/auth/me"},
                                       "expect": {"json": {"user": {"login": "police1"}}},
                                       "save": {"who": "json.user.login"}},
                                      {"request": {"path": "/api/v1/id-numbers/${who}"},
                                       "expect": {"json": {"id_number": "police1"}}}]})
        self.write("bad", {"steps": [{"request": {"path": "/api/v1/health"},
                                      "expect": {"json": {"status": "down"}}}]})
        self.write("typo", {"steps": [{"request": {"path": "/api/v1/health"},
                                       "expect": {"jsno": {}}}]})
        self.write("hex", {"steps": [{"request": {"method": "POST", "path": "/api/v1/auth/login",
                                                  "raw_body_hex": "7g"}}]})
        self.write("nouser", {"steps": [{"as": "police1", "request": {"path": "/api/v1/health"}}]})
        code, out = self.run_runner("-v")
        self.assertEqual(code, 1, out)
        self.assertIn('$.status: expected "down", got "ok"', out)
        self.assertIn("unknown key(s) ['jsno']", out)
        self.assertIn("raw_body_hex must be hexadecimal digits", out)
        self.assertIn("login as police1 failed: 401", out)
        self.assertIn("PASS good", out)
        self.assertEqual(out.strip().splitlines()[-1], "api: 1 passed, 4 failed", out)
        code, out = self.run_runner("--filter", "good")
        self.assertEqual((code, out.strip().splitlines()[-1]), (0, "api: 1 passed, 0 failed"))

    def test_peer_instance(self):
        self.write("pair", {"demo": {"persons": 5}, "peer": {"demo": {"persons": 3, "seed": 9}},
                            "steps": [
            {"on": "peer", "request": {"path": "/api/v1/health"},
             "expect": {"json": {"peer": "re:^main=${base_url}=[0-9a-f]{32}$",
                                 "peer_token": "re:^main=[0-9a-f]{32}$"}},
             "save": {"to_peer": "json.peer_token[5:]", "to_main": "json.peer[-32:]"}},
            {"request": {"path": "/api/v1/health"},
             "expect": {"json": {"peer": "re:^peer=${peer_url}=${to_peer}$",
                                 "peer_token": "peer=${to_main}"}}},
            {"on": "peer", "as": "police1", "request": {"path": "/api/v1/auth/me"},
             "expect": {"json": {"user": {"login": "police1"}}}},
            {"as": "police1", "request": {"path": "/api/v1/auth/me"},
             "expect": {"json": {"user": {"login": "police1"}}}},
            {"on": "peer", "request": {"path": "/api/v1/id-numbers/${peer_truth.seed}"},
             "expect": {"json": {"id_number": "9"}}}]})
        self.write("lonely", {"steps": [{"on": "peer", "request": {"path": "/api/v1/health"}}]})
        code, out = self.run_runner("-v")
        self.assertIn("PASS pair", out)
        self.assertIn('on must be "main", or "peer" with a "peer" instance', out)
        self.assertEqual(out.strip().splitlines()[-1], "api: 1 passed, 1 failed", out)

    def test_postgres_without_url_is_skipped(self):
        env = dict(os.environ)
        env.pop("HUKOU_TEST_PG_URL", None)
        result = subprocess.run([sys.executable, os.path.abspath(__file__), "--hukou", self.hukou,
                                 "--backend", "postgres"], capture_output=True, env=env)
        self.assertEqual(result.returncode, SKIP)

    @unittest.skipUnless(os.environ.get("HUKOU_TEST_PG_URL"), "HUKOU_TEST_PG_URL not set")
    def test_postgres_databases_are_created_and_dropped(self):
        self.write("pg", {"steps": [{"request": {"path": "/api/v1/health"}}]})
        code, out = self.run_runner("--backend", "postgres")
        self.assertEqual(code, 0, out)
        psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
        left = subprocess.run([psql, "-XAt", os.environ["HUKOU_TEST_PG_URL"], "-c",
                               "SELECT count(*) FROM pg_database WHERE datname LIKE 'hukou_api_%'"],
                              capture_output=True, text=True).stdout.strip()
        self.assertEqual(left, "0")


def self_test():
    suite = unittest.TestSuite()
    for case in (MatchTest, VariableTest, RunnerTest):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--fake-hukou":
        return fake_hukou(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hukou", default=os.path.join(ROOT, "build", "hukou"),
                        help="the hukou binary (default: build/hukou)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("HUKOU_TEST_PG_URL"),
                        help="PostgreSQL URL with the right to create databases "
                             "(default: $HUKOU_TEST_PG_URL)")
    parser.add_argument("--filter", help="run only scenarios whose file or name contains this "
                                         "(or matches it, with * ? [)")
    parser.add_argument("--dir", default=HERE, help="directory of scenario files")
    parser.add_argument("-j", "--jobs", type=int,
                        default=int(os.environ.get("HUKOU_API_JOBS", "1")),
                        help="scenarios run at the same time (default: $HUKOU_API_JOBS or 1)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every step")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory (database, server log) of failures")
    parser.add_argument("--self-test", action="store_true", help="test this runner")
    opts = parser.parse_args()
    if opts.self_test:
        return self_test()
    if opts.backend == "postgres" and not opts.pg_url:
        print("api: skipped: --backend postgres needs --pg-url or HUKOU_TEST_PG_URL")
        return SKIP
    opts.hukou = os.path.abspath(opts.hukou)
    if not os.access(opts.hukou, os.X_OK):
        print(f"api: {opts.hukou} is not an executable; build it first", file=sys.stderr)
        print("api: 0 passed, 0 failed")
        return 1
    return run_all(opts)


if __name__ == "__main__":
    sys.exit(main())
