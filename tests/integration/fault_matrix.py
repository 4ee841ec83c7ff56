#!/usr/bin/env python3
"""fault_matrix.py: the driver of tests/integration/faults.sh.

faults.sh starts the servers, the fault proxy (tests/fixtures/
fault_proxy.py) and sitrep in tmux (sessions "main", "health" and
"rediss"); this switches the proxies fault by fault, every source at once,
and reads the screens with capture-pane (-e: the colours show which rows
are dimmed).  For every (source, fault) cell it checks that

  * sitrep is still running, and keys still work (focus moves);
  * the panel shows the error (a sentence that names the fault) and the
    age of its last good data ("STALE 7s, retry 4s" in the title), the
    last good rows are still there and dimmed (every character in the
    muted colour), and no figure younger than the fault is shown as fresh;
  * after the fault ends, the panel is fresh again (no error line, "N s
    ago") within two retry periods: 2 x the longest retry delay the panel
    showed during the fault, plus 1 s for the screen to be read.

Health endpoints are data, not a source of their own: a failing endpoint is
a row "down" with the reason in the Circuits panel's summary, and that
panel stays fresh.  Prints TAP lines; with --write-doc 1 writes the table
into docs/reliability.md between the fault-matrix markers.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

FAULTS = ["refuse", "blackhole", "slow", "reset", "garbage", "error",
          "auth", "tls", "huge"]
FAULT_TITLES = {
    "refuse": "refused", "blackhole": "never answers", "slow": "slow (5 s)",
    "reset": "reset mid-answer", "garbage": "garbage", "error":
    "error status", "auth": "auth failure", "tls": "TLS failure",
    "huge": "huge answer"}

# source: (console, panel title, proxy name, figure that must stay)
SOURCES = [
    ("PostgreSQL", "main", "Replication", "postgres", r"\bpg +15\.\d+ +primary"),
    ("Redis", "main", "Redis", "redis", r"\bcache +127\.0\.0\.1:\d+ +master"),
    ("Kubernetes", "main", "Pods", "kubernetes", r"worker-7d9f8c6b5-w1 "),
    ("Alertmanager", "main", "Alerts", "alertmanager", r"FaultMatrixCritical"),
    ("Prometheus", "main", "Circuits", "prometheus", r"finance +ledger"),
    ("Health", "health", "Circuits", "health", r"health +billing"),
]

# What a sensible error line says, per fault.
SENSIBLE = {
    "refuse": r"refused",
    "blackhole": r"time(d)? ?out|not answering|no answer",
    "slow": r"time(d)? ?out|not answering|no answer",
    "reset": r"reset|closed|lost|EOF|unexpected|incomplete|partial|"
             r"truncated|terminated|receiv",
    "garbage": r"protocol|invalid|not JSON|malformed|parse|unexpected|"
               r"synchroni[sz]ation|message type|"
               r"HTTP|garbage|bad|unknown|SSL|syntax|JSON",
    "error": r"500|BUSY|too many clients|internal|server error",
    "auth": r"401|unauthori[sz]ed|password|WRONGPASS|NOAUTH|authenticat",
    "tls": r"certificate|TLS|SSL|verif",
    "huge": r"too large|larger|too big|limit",
}

# Where a cell's error may say something else: the Kubernetes lists may be
# 256 MiB, so 80 MiB does not pass the cap but takes longer than the 3 s
# timeout.
SENSIBLE_CELL = {("Kubernetes", "huge"): r"too large|larger|time(d)? ?out"}

# Cells where sitrep may rightly keep showing fresh data: the answer is
# valid, only big (a 16 MiB PostgreSQL notice, a 16 MiB INFO answer).
DATA_OK = {("PostgreSQL", "huge"), ("Redis", "huge"), ("Kubernetes", "huge")}

NA = {("Redis", "tls"): "hiredis 0.14 has no TLS: a rediss:// URL is "
      "refused with a clear error (checked)"}

SGR = re.compile(r"\x1b\[([0-9;]*)m")


class Screen:
    def __init__(self, sock, conf):
        self.sock, self.conf = sock, conf

    def tm(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", self.conf] +
                              list(args), capture_output=True, text=True)

    def capture(self, session, esc=False):
        a = ["capture-pane", "-p", "-t", session]
        if esc:
            a.insert(2, "-e")
        return self.tm(*a).stdout.split("\n")

    def alive(self, session, tmp):
        r = self.tm("display", "-p", "-t", session, "#{pane_dead}")
        return r.returncode == 0 and r.stdout.strip() == "0" and \
            not os.path.exists(os.path.join(tmp, "exit." + session))

    def keys(self, session, *k):
        self.tm("send-keys", "-t", session, *k)


def plain(line):
    return SGR.sub("", line)


def colours(line):
    """(char, fg) for every character of a captured line with escapes."""
    out, fg, i = [], "39", 0
    while i < len(line):
        m = SGR.match(line, i)
        if m:
            ps = m.group(1).split(";") if m.group(1) else ["0"]
            j = 0
            while j < len(ps):
                p = ps[j]
                if p in ("0", "39"):
                    fg = "39"
                elif p == "38" and j + 2 < len(ps) and ps[j + 1] == "5":
                    fg = "38;5;" + ps[j + 2]
                    j += 2
                elif p.isdigit() and (30 <= int(p) <= 37 or
                                      90 <= int(p) <= 97):
                    fg = p
                j += 1
            i = m.end()
            continue
        out.append((line[i], fg))
        i += 1
    return out


def seconds(text):
    m = re.fullmatch(r"(\d+)([smhd])", text)
    if not m:
        return None
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def panel(lines_esc, title):
    """The panel called title: its lines (with escapes), or []."""
    start = None
    for i, l in enumerate(lines_esc):
        p = plain(l)
        if start is None and re.match(r"^(┌─|─) \d " + title + " ─", p):
            start = i
        elif start is not None and (re.match(r"^(┌─|─) \d \w+ ─", p) or
                                    p.startswith(" q quit") or
                                    p.startswith("└")):
            return lines_esc[start:i]
    return lines_esc[start:] if start is not None else []


def read_panel(block, health):
    """What one panel shows now (a dict)."""
    st = {"found": bool(block)}
    if not block:
        return st
    title = plain(block[0]).rstrip("─┐ ")
    m = re.search(r"STALE (\S+), retry (\S+)$", title)
    if m:
        st["stale"] = seconds(m.group(1))
        st["retry"] = seconds(m.group(2))
    m = re.search(r"(\w+) (\d+[smhd]) ago$", title)
    if m:
        st["fresh"] = seconds(m.group(2))
    st["summary"] = title
    rows = []
    for l in block[1:]:
        p = plain(l).strip("│ ")
        m = re.match(r"! ([\w-]+): (.*?)(?: \(retry in \S+\))?$", p)
        if m:
            st["error"] = m.group(2)
            continue
        if p:
            rows.append(l)
    st["rows"] = [plain(r) for r in rows]
    # Muted: the colour of the age in the title.
    tc = colours(block[0])
    age_at = plain(block[0]).rfind("STALE")
    muted = tc[age_at][1] if age_at >= 0 and age_at < len(tc) else None
    st["dimmed"] = None
    if muted is not None and rows:
        st["dimmed"] = all(fg == muted for r in rows for ch, fg in
                           colours(r) if ch.strip() and ch not in "│")
    if health:
        hm = re.search(r"health billing: ([^─]*)", title)
        row = [r for r in st["rows"] if re.search(r"health +billing", r)]
        st["health_down"] = bool(row and re.search(r"\bdown\b", row[0]))
        st["health_up"] = bool(row and re.search(r"\bup$", row[0].rstrip()))
        if hm:
            st["error"] = hm.group(1).strip()
    return st


def control(port, line):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall((line + "\n").encode())
        return s.recv(100).decode().strip()


class Cell:
    def __init__(self, source, fault):
        self.source, self.fault = source, fault
        self.err = None            # the error text shown (see below)
        self.errs = []             # every error text seen, in order
        self.err_at = None
        self.stale_seen = False
        self.dim_ok = None
        self.figure_kept = True
        self.retry_max = 0
        self.fresh_violation = None
        self.data_fresh = False    # DATA_OK: fresh, correct data
        self.recovered = None      # seconds after the fault ended
        self.after = 0             # attempts that failed after it ended
        self.prev = None           # (retry, error) in the last sample
        self.trace = []            # the samples after the fault ended
        self.limit = None
        self.problems = []


def run(a):
    scr = Screen(a.tmux_socket, a.tmux_conf)
    faults = [f for f in (a.faults.split(",") if a.faults else FAULTS) if f]
    only = [x for x in a.sources.split(",") if x]
    results = {}
    nfail = 0
    t_start = time.time()

    def snapshot():
        return {c: scr.capture(c, esc=True) for c in ("main", "health")}

    def state(shots, src):
        name, console, title, _, _ = src
        return read_panel(panel(shots[console], title), name == "Health")

    # Everything starts fresh with data.
    def all_fresh(shots):
        for src in SOURCES:
            s = state(shots, src)
            if src[0] == "Health":
                if not s.get("health_up") or "error" in s:
                    return False
                continue
            if s.get("fresh") is None or s["fresh"] > 2 or "error" in s or \
                    not any(re.search(src[4], r) for r in s.get("rows", [])):
                return False
        return True

    end = time.time() + 60
    while time.time() < end and not all_fresh(snapshot()):
        time.sleep(0.5)
    if not all_fresh(snapshot()):
        print("not ok - every panel shows fresh data before the faults")
        for c, l in snapshot().items():
            for x in l:
                print("#   " + plain(x))
        return 1
    print("ok - every panel shows fresh data before the faults")
    # The focus on Outbox (no source): every source's panel is a strip,
    # one title line and its error line, and no selected row.
    scr.keys("main", "3")
    scr.keys("health", "3")

    # The rediss:// refusal (the n/a cell).
    lines = [plain(x) for x in scr.capture("rediss")]
    ok = any("TLS (rediss://) is not supported" in x for x in lines)
    print("%s - Redis tls: n/a, a rediss:// URL is refused clearly" %
          ("ok" if ok else "not ok"))
    if not ok:
        nfail += 1
        for x in lines:
            print("#   " + x)

    focus = 1
    for fault in faults:
        cells = {}
        for src in SOURCES:
            if (src[0], fault) in NA or (only and src[0] not in only):
                continue
            cells[src[0]] = Cell(src[0], fault)
            control(a.control, "%s %s" % (src[3], fault))
        t0 = time.time()
        keys_ok, keys_ms = True, []
        # The fault: until every panel shows it and 3 s more, up to 30 s.
        done_at = None
        while True:
            now = time.time()
            shots = snapshot()
            for src in SOURCES:
                c = cells.get(src[0])
                if c is None:
                    continue
                s = state(shots, src)
                figure = any(re.search(src[4], r) for r in s.get("rows", []))
                if not figure:
                    c.figure_kept = False
                if src[0] == "Health":
                    if s.get("health_down") and s.get("error"):
                        if c.err is None:
                            c.err_at = now - t0
                        if s["error"] not in c.errs:
                            c.errs.append(s["error"])
                        c.err = s["error"]
                    continue
                if "error" in s:
                    if c.err is None:
                        c.err_at = now - t0
                    if s["error"] not in c.errs:
                        c.errs.append(s["error"])
                    c.err = s["error"]
                    if s.get("stale") is not None:
                        c.stale_seen = True
                    if s.get("retry") is not None:
                        c.retry_max = max(c.retry_max, s["retry"])
                    if s.get("dimmed") is False:
                        c.dim_ok = False
                    elif s.get("dimmed") and c.dim_ok is None:
                        c.dim_ok = True
                if s.get("fresh") is not None:
                    fetched = now - s["fresh"]
                    if (src[0], fault) in DATA_OK:
                        if fetched > t0 + 2 and figure:
                            c.data_fresh = True
                    elif fetched > t0 + 2.5 and c.fresh_violation is None:
                        c.fresh_violation = "fresh data (%d s ago) %.1f s " \
                            "into the fault" % (s["fresh"], now - t0)
            pending = [c for c in cells.values()
                       if c.err is None and not c.data_fresh]
            if not pending and done_at is None:
                done_at = now
                # Keys during the fault: move the focus and see it move.
                for want in ((1, "Pods"), (3, "Outbox")):
                    k0 = time.time()
                    scr.keys("main", str(want[0]))
                    seen = False
                    while time.time() < k0 + 3:
                        if any(re.match(r"┌─ %d %s" % want, plain(x)) for x in
                               scr.capture("main")):
                            seen = True
                            break
                        time.sleep(0.05)
                    keys_ms.append(int((time.time() - k0) * 1000))
                    keys_ok = keys_ok and seen
            if done_at is not None and now > done_at + 4:
                break
            if now > t0 + 30:
                break
            time.sleep(0.25)
        alive = scr.alive("main", a.tmp) and scr.alive("health", a.tmp)
        # Recovery.
        control(a.control, "all pass")
        t1 = time.time()
        while time.time() < t1 + 70:
            now = time.time()
            shots = snapshot()
            for src in SOURCES:
                c = cells.get(src[0])
                if c is None or c.recovered is not None:
                    continue
                s = state(shots, src)
                if src[0] == "Health":
                    ok = s.get("health_up") and "error" not in s
                else:
                    ok = "error" not in s and s.get("fresh") is not None \
                        and s["fresh"] <= 1 and any(
                            re.search(src[4], r) for r in s.get("rows", []))
                if ok:
                    c.recovered = now - t1
                elif src[0] != "Health" and "error" in s:
                    # The error line may be cut at the screen's width
                    # inside its "(retry in Ns)": compare the start.
                    cur = (s.get("retry"), re.sub(r" \(r[^)]*$", "",
                                                  s["error"])[:60])
                    c.trace.append("%.1f s: retry %s, %s" % (
                        now - t1, cur[0], cur[1][:70]))
                    if c.prev is not None and (cur[1] != c.prev[1] or (
                            cur[0] is not None and c.prev[0] is not None
                            and cur[0] > c.prev[0])):
                        c.after += 1
                    c.prev = cur
            if all(c.recovered is not None for c in cells.values()):
                break
            time.sleep(0.2)
        # Verdicts.
        for src in SOURCES:
            c = cells.get(src[0])
            if c is None:
                continue
            pr = c.problems
            if not alive:
                pr.append("sitrep is not running")
            if not keys_ok:
                pr.append("keys did not work during the fault")
            if c.err is None and not c.data_fresh:
                pr.append("no error shown")
            # The error that names the fault (the first error may be a
            # connection the fault cut, before a new one met the fault).
            want = SENSIBLE_CELL.get((src[0], fault), SENSIBLE[fault])
            named = [e for e in c.errs if re.search(
                want, re.sub(r" ?\(https?://[^)]*\)?", "", e), re.I)]
            if c.errs:
                c.err = named[-1] if named else c.errs[-1]
            if c.errs and not named:
                pr.append("error text does not name the fault")
            if src[0] != "Health" and c.err is not None:
                if not c.stale_seen:
                    pr.append("no STALE age")
                if c.dim_ok is False:
                    pr.append("stale rows not dimmed")
            if not c.figure_kept:
                pr.append("last good rows gone")
            if c.fresh_violation:
                pr.append(c.fresh_violation)
            if c.recovered is None:
                pr.append("did not recover in 70 s")
            elif src[0] != "Health" and c.after > 1:
                pr.append("%d attempts failed after the fault ended: more "
                          "than two retry periods" % c.after)
            elif src[0] == "Health" and c.recovered > 2 * 1 + 3 + 1.0:
                pr.append("recovered in %.1f s: more than two refresh "
                          "periods and a timeout" % c.recovered)
            what = ("error \"%s\" after %.1f s" % (c.err[:70], c.err_at)
                    if c.err is not None else "fresh, correct data")
            rec = ("recovered in %.1f s (%s)" % (c.recovered, (
                "%d failed attempt%s after the fault" % (
                    c.after, "" if c.after == 1 else "s"))
                if src[0] != "Health" else "next refresh")
                   if c.recovered is not None else "no recovery")
            if pr:
                nfail += 1
                print("not ok - %s %s: %s; %s; %s" % (src[0], fault, what,
                                                       rec, "; ".join(pr)))
                for e in c.errs:
                    print("#   during the fault: %s" % e)
                for t in c.trace:
                    print("#   after it: %s" % t)
            else:
                print("ok - %s %s: %s, %s, %s, keys %s ms" % (
                          src[0], fault, what, "row down, panel fresh" if
                          src[0] == "Health" else "STALE age, dimmed rows"
                          if c.err is not None else "no error", rec,
                          "/".join(map(str, keys_ms))))
            results[(src[0], fault)] = c
        sys.stdout.flush()
        # The next fault starts from fresh data with no backoff left.
        end = time.time() + 30
        while time.time() < end and not all_fresh(snapshot()):
            time.sleep(0.3)
    total = time.time() - t_start
    print("# the matrix took %.0f s" % total)
    if a.write_doc == "1":
        if a.faults or a.sources:
            print("# FAULTS or FAULT_SOURCES given: the table is not written")
        else:
            write_doc(a.doc, results, total)
    return 1 if nfail else 0


def cell_text(source, fault, results):
    if (source, fault) in NA:
        return "n/a"
    c = results.get((source, fault))
    if c is None:
        return "-"
    if c.problems:
        return "FAIL"
    if c.err is None:
        return "ok (data) %.1f s" % c.recovered
    return "ok %.1f s" % c.recovered


def write_doc(path, results, total):
    head = "| source | " + " | ".join(FAULT_TITLES[f] for f in FAULTS) + " |"
    sep = "| --- |" + " --- |" * len(FAULTS)
    rows = [head, sep]
    for src in SOURCES:
        rows.append("| %s | " % src[0] + " | ".join(
            cell_text(src[0], f, results) for f in FAULTS) + " |")
    said = []
    for src in SOURCES:
        for f in FAULTS:
            c = results.get((src[0], f))
            if (src[0], f) in NA:
                said.append("| %s | %s | n/a: %s |" % (src[0], f, NA[(src[0], f)]))
            elif c is not None:
                txt = c.err if c.err is not None else \
                    "(no error: the answer is valid, the data stayed fresh)"
                # Without the retry countdown (cut at the screen's width).
                txt = re.sub(r" *\((r|re|ret|retr|retry|retry in[^)]*)\)?$",
                             "", txt).rstrip()
                txt = txt.replace("|", "\\|")
                if c.problems:
                    txt += " **FAIL: %s**" % "; ".join(c.problems)
                said.append("| %s | %s | %s |" % (src[0], f, txt))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = ["<!-- fault-matrix:begin -->",
           "<!-- generated by tests/integration/faults.sh "
           "(FAULTS_WRITE_DOC=1); do not edit by hand -->",
           "",
           "Generated %s in %.0f s.  A cell is the time from the end of the "
           "fault to fresh data again (no error line, data age at most 1 s)." %
           (stamp, total),
           ""] + rows + [
           "",
           "What each panel said during the fault (the error line, cut at "
           "the screen's width; for health, the Circuits summary):",
           "",
           "| source | fault | error shown |",
           "| --- | --- | --- |"] + said + ["", "<!-- fault-matrix:end -->"]
    with open(path) as f:
        doc = f.read()
    b = doc.find("<!-- fault-matrix:begin -->")
    e = doc.find("<!-- fault-matrix:end -->")
    if b < 0 or e < 0:
        print("# %s has no fault-matrix markers: not written" % path)
        return
    e += len("<!-- fault-matrix:end -->")
    with open(path, "w") as f:
        f.write(doc[:b] + "\n".join(out) + doc[e:])
    print("# wrote the table into %s" % path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmux-socket", required=True)
    ap.add_argument("--tmux-conf", required=True)
    ap.add_argument("--control", type=int, required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--faults", default="")
    ap.add_argument("--sources", default="")
    ap.add_argument("--write-doc", default="0")
    return run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
