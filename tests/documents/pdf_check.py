#!/usr/bin/env python3
"""The documents of a case as real PDFs, checked the way a person would (issue #4 "How this is
checked"): a demo city, `hukou serve`, a birth registration received by clerk1 and accepted by
police2; its receipt (收件单) and approval form (审批表) are fetched through the API, rendered to PNG
with pdftoppm and checked: Chinese text present (pdftotext), the seal present (red pixels in the
signature band, right half of the last page), and the QR code decodes (zbarimg) to the
verification URL, whose page the server serves (the console's /verify route) and which, through
the public API, answers authentic for the original bytes and "altered" for a copy with one byte
changed.

Usage: pdf_check.py --hukou build/hukou. Exit 0 all checks hold, 1 otherwise, 77 (skip) without
the binary or the poppler/zbar tools.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from blackbox import PNG, SKIP, Checks, as_strict_json, build_demo, find_hukou, \
    sqlite_server  # noqa: E402


def fetch(instance, path, user=None, method="GET", body=None, headers=None):
    """(status, headers dict lower-cased, raw bytes)."""
    r, data = instance.fetch(method, path, body=body, headers=headers, user=user, timeout=60)
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def read_ppm(path):
    """(width, height, bytes RGB) of a binary PPM (P6, maxval 255) as pdftoppm writes it."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def red_pixels(width, height, rgb, region):
    """Seal-red pixels (strong red, little green and blue) inside region (x0, y0, x1, y1) as
    fractions of the page."""
    x0, y0, x1, y1 = (int(region[0] * width), int(region[1] * height), int(region[2] * width),
                      int(region[3] * height))
    count = 0
    for y in range(y0, y1):
        row = y * width * 3
        for x in range(x0, x1):
            r, g, b = rgb[row + 3 * x], rgb[row + 3 * x + 1], rgb[row + 3 * x + 2]
            if r > 170 and g < 120 and b < 120:
                count += 1
    return count


def check_pdf(checks, instance, workdir, name, pdf, doc_no, words):
    path = os.path.join(workdir, name + ".pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    for word in words:
        checks.expect(f"{name}: text holds {word}", word in text, text[:300])
    checks.expect(f"{name}: document number printed", doc_no in text.replace(" ", ""), text[:300])
    prefix = os.path.join(workdir, name)
    subprocess.run(["pdftoppm", "-r", "100", "-png", path, prefix], check=True)
    subprocess.run(["pdftoppm", "-r", "50", path, prefix + "-low"], check=True)
    pngs = sorted(p for p in os.listdir(workdir) if p.startswith(name + "-") and
                  p.endswith(".png"))
    ppms = sorted(p for p in os.listdir(workdir) if p.startswith(name + "-low") and
                  p.endswith(".ppm"))
    checks.expect(f"{name}: rendered to PNG", len(pngs) >= 1, pngs)
    width, height, rgb = read_ppm(os.path.join(workdir, ppms[-1]))
    seal = red_pixels(width, height, rgb, (0.5, 0.3, 1.0, 1.0))
    elsewhere = red_pixels(width, height, rgb, (0.0, 0.0, 0.5, 1.0))
    checks.expect(f"{name}: seal red in the signature band (right half)", seal > 400,
                  {"right": seal, "left": elsewhere})
    checks.expect(f"{name}: no seal red elsewhere", elsewhere < seal / 10,
                  {"right": seal, "left": elsewhere})
    codes = []
    for png in pngs:
        scan = subprocess.run(["zbarimg", "--raw", "-q", os.path.join(workdir, png)],
                              capture_output=True)
        codes += scan.stdout.decode("utf-8").split()
    url = f"http://127.0.0.1:{instance.port}/verify/{doc_no}"
    checks.expect(f"{name}: QR decodes to the verification URL", url in codes, codes)

    # The QR's URL lands on the console's verification page (the SPA answers /verify/<doc_no>).
    status, headers, body = fetch(instance, f"/verify/{doc_no}")
    checks.expect(f"{name}: verification page served", status == 200 and b"hukou-console" in body,
                  status)
    check = f"/api/v1/public/documents/{doc_no}/check"
    status, _, body = fetch(instance, check, method="POST", body=pdf)
    verdict = json.loads(body)
    checks.expect(f"{name}: original bytes authentic",
                  status == 200 and verdict.get("authentic") is True, verdict)
    altered = bytearray(pdf)
    middle = len(altered) // 2
    altered[middle] = (altered[middle] + 1) % 256
    status, _, body = fetch(instance, check, method="POST", body=bytes(altered))
    verdict = json.loads(body)
    checks.expect(f"{name}: one byte changed → altered",
                  status == 200 and verdict.get("authentic") is False and
                  verdict.get("reason") == "altered", verdict)


def run(instance, workdir):
    checks = Checks(limit=600, show=as_strict_json)
    for user in ("clerk1", "police2"):
        instance.login(user)
    truth_person = instance.query(
        "SELECT p.id_number, p.name, h.household_number FROM persons p JOIN households h ON "
        "h.id = p.household_id WHERE p.status = 'active' AND h.station_code = "
        "(SELECT code FROM units u JOIN users s ON s.unit_code = u.code WHERE s.login = 'police2') "
        "ORDER BY p.id LIMIT 1")[0]
    father, fname, household = truth_person
    status, created, _ = instance.request("POST", "/api/v1/cases", {
        "item_code": "HK0101",
        "applicant": {"name": fname, "id_number": father, "phone": "13800000001"},
        "subjects": [{"new_person": {"name": "核验婴", "sex": "1", "ethnicity": "01",
                                     "birth_date": "2026-11-01", "father_name": fname,
                                     "father_id_number": father},
                      "relation_to_head": "20"}],
        "materials": ["application_form"],
        "form": {"household_number": household}}, user="clerk1")
    checks.expect("case received", status == 201, created)
    case_no = created["case_no"]

    status, headers, receipt = fetch(instance, f"/api/v1/cases/{case_no}/receipt.pdf", "clerk1")
    checks.expect("receipt: 200 application/pdf",
                  status == 200 and headers.get("content-type", "").startswith("application/pdf"),
                  status)
    check_pdf(checks, instance, workdir, "receipt", receipt, headers["x-document-number"],
              ["收件单", case_no, "核验婴", "出生登记"])
    status, again, _ = fetch(instance, f"/api/v1/cases/{case_no}/receipt.pdf", "clerk1")
    checks.expect("receipt again: identical bytes", again.get("x-document-number") ==
                  headers["x-document-number"], again.get("x-document-number"))

    # Acceptance needs the application form captured (C2); a 2×2 PNG stands for its scan.
    scan = PNG
    status, _, captured = fetch(
        instance, f"/api/v1/archive/cases/{case_no}/materials?material_code=application_form"
        "&source=scan&file_name=application_form.png", "clerk1", method="POST", body=scan,
        headers={"Content-Type": "image/png"})
    checks.expect("application form captured", status == 201, captured)
    status, decided, _ = instance.request("POST", f"/api/v1/cases/{case_no}/decisions",
                                          {"decision": "approve", "opinion": "材料齐全，同意受理"},
                                          user="police2")
    checks.expect("accepted by police2", status == 200, decided)
    status, headers, form = fetch(instance, f"/api/v1/cases/{case_no}/approval-form.pdf",
                                  "police2")
    checks.expect("approval form: 200 application/pdf",
                  status == 200 and headers.get("content-type", "").startswith("application/pdf"),
                  status)
    check_pdf(checks, instance, workdir, "approval-form", form, headers["x-document-number"],
              ["审批表", case_no, "同意受理", "陈刚"])
    print(f"documents: {checks.count - checks.failures} passed, {checks.failures} failed")
    return 0 if checks.failures == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hukou", default=os.path.join(HERE, "..", "..", "build", "hukou"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    hukou = find_hukou(args.hukou, "skip: no hukou binary at {path}")
    if hukou is None:
        return SKIP
    for tool in ("pdftoppm", "pdftotext", "zbarimg"):
        if not shutil.which(tool):
            print(f"skip: {tool} not installed")
            return SKIP
    workdir = tempfile.mkdtemp(prefix="hukou-documents-")
    static = os.path.join(workdir, "static")
    os.makedirs(static)
    with open(os.path.join(static, "index.html"), "w") as f:
        f.write("<!doctype html><title>hukou-console</title>")
    instance = sqlite_server(hukou, workdir, "ezhou")
    try:
        build_demo(hukou, instance.db_url, city="ezhou", seed=7, persons=300, timeout=None)
        instance.start(["--static", static])
        return run(instance, workdir)
    finally:
        instance.stop()
        if args.keep:
            print("work directory:", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
