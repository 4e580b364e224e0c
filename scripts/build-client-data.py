#!/usr/bin/env python3
"""Build schemas/seb-clients.json: which SEB client release reads each catalog setting, and which refuse it.

Read from the clients' own sources (bare git mirrors, read-only):
  SafeExamBrowser/seb-win-refactoring  SEB for Windows: ConfigurationData/Keys.cs (key names) and every
                                       reference to a `Keys.*` constant in SafeExamBrowser.Configuration (the
                                       DataMapping/*DataMapper.cs classes and the few direct readers), plus
                                       DataProcessor.cs for settings forced off after reading.
  SafeExamBrowser/seb-mac              SEB for macOS and iOS: the default settings dictionary in
                                       Classes/ConfigFiles/SEBSettings.m (root keys and table columns) and the
                                       `#define ...ProctoringSupported` switches with their checks in
                                       Classes/SEBController.{h,m} (macOS) and SEB/SEBViewController.{h,m} (iOS).
at every release tag from 3.0 on (betas, release candidates and pre-releases left out).
Facts the sources cannot give cheaply live in scripts/client-facts.json (hand-written, cited) and are merged.

Usage (from the repository root):
  python3 scripts/build-client-data.py [WIN_MIRROR MAC_MIRROR]
The mirrors default to /work/.mirror/SafeExamBrowser+seb-win-refactoring/repo and ...+seb-mac/repo.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = Path("/work/.mirror")
WIN_REPO = "SafeExamBrowser/seb-win-refactoring"
MAC_REPO = "SafeExamBrowser/seb-mac"
WIN_CONF = "SafeExamBrowser.Configuration"
WIN_KEYS = WIN_CONF + "/ConfigurationData/Keys.cs"
WIN_PROCESSOR = WIN_CONF + "/ConfigurationData/DataProcessor.cs"
MAC_DEFAULTS = "Classes/ConfigFiles/SEBSettings.m"
# platform -> (header with the #define switches, implementation with the check)
MAC_SWITCHES = {
    "macos": ("Classes/SEBController.h", "Classes/SEBController.m"),
    "ios": ("SEB/SEBViewController.h", "SEB/SEBViewController.m"),
}
# The `...ProctoringSupported` switch name -> the setting it guards.
SWITCH_KEYS = {"JitsiMeet": "jitsiMeetEnable", "Zoom": "zoomEnable"}
# DataProcessor.cs: `settings.Proctoring.<Name>.Enabled = false;` -> the setting forced off.
FORCED_OFF_KEYS = {"JitsiMeet": "jitsiMeetEnable", "Zoom": "zoomEnable"}


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True,
                          capture_output=True, text=True, errors="replace").stdout


def version(tag):
    """`v3.10.2` -> (3, 10, 2); None for betas, release candidates and pre-releases."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?(_iOS|_macOS)?", tag)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), m.group(4)


def release_tags(repo):
    tags = []
    for tag in git(repo, "tag").split():
        v = version(tag)
        if v and v[0] >= (3, 0, 0):
            tags.append((v[0], v[1] or "", tag))
    return sorted(tags)


def show(repo, tag, path):
    try:
        return git(repo, "show", f"refs/tags/{tag}:{path}")
    except subprocess.CalledProcessError:
        return None


# ---------------------------------------------------------------- SEB for Windows

def parse_keys_cs(text):
    """Keys.cs -> {constant path (e.g. Browser.Filter.RuleAction): (key, line)}."""
    consts, stack, depth, pending = {}, [], 0, None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.search(r"\bclass\s+(\w+)", line)
        if m:
            pending = m.group(1)
        for ch in line:
            if ch == "{":
                depth += 1
                if pending:
                    stack.append((pending, depth))
                    pending = None
            elif ch == "}":
                if stack and stack[-1][1] == depth:
                    stack.pop()
                depth -= 1
        m = re.search(r'const\s+string\s+(\w+)\s*=\s*"([^"]*)"', line)
        if m:
            path = [c for c, _ in stack if c != "Keys"] + [m.group(1)]
            consts[".".join(path)] = (m.group(2), n)
    return consts


def windows_tag(repo, tag):
    keys_cs = show(repo, tag, WIN_KEYS)
    if keys_cs is None:
        return None
    consts = parse_keys_cs(keys_cs)
    refs = {}
    out = git(repo, "grep", "-n", "-E", r"Keys\.[A-Z][A-Za-z.]*", f"refs/tags/{tag}", "--", f"{WIN_CONF}/*.cs")
    files = set()
    for row in out.splitlines():
        _, path, line, text = row.split(":", 3)
        if path == WIN_KEYS:
            continue
        files.add(path)
        for ref in re.findall(r"\bKeys\.([A-Z][A-Za-z.]*[A-Za-z])", text):
            refs.setdefault(ref, (path, int(line)))
    read = {}  # key -> {"keys": line, "ref": (path, line), "class": class path}
    for cpath, (key, line) in consts.items():
        if cpath in refs:
            cls = cpath.rsplit(".", 1)[0] if "." in cpath else ""
            read.setdefault(key, []).append({"line": line, "ref": refs[cpath], "class": cls})
    forced = {}
    proc = show(repo, tag, WIN_PROCESSOR) or ""
    for n, line in enumerate(proc.splitlines(), 1):
        m = re.search(r"settings\.Proctoring\.(\w+)\.Enabled\s*=\s*false\s*;", line)
        if m and m.group(1) in FORCED_OFF_KEYS:
            forced[FORCED_OFF_KEYS[m.group(1)]] = n
    return {"consts": consts, "read": read, "forced": forced, "files": sorted(files)}


# ---------------------------------------------------------------- SEB for macOS and iOS

def parse_mac_defaults(text):
    """SEBSettings.m -> ({root key: line}, {table: {column: line}})."""
    lines = text.splitlines()
    root, tables = {}, {}
    start = next((i for i, l in enumerate(lines) if '@"rootSettings"' in l), None)
    if start is None:
        return root, tables
    # Preprocessor branches (`#if TARGET_OS_OSX` value `#else` value `#endif`): the first branch is read.
    items, i, skipping = [], start + 2, False
    while i < len(lines) and not re.match(r"\s*nil\]", lines[i]):
        stripped = lines[i].strip()
        if stripped.startswith("#"):
            skipping = stripped.startswith(("#else", "#elif"))
        elif stripped and not stripped.startswith("//") and not skipping:
            items.append((stripped, i + 1))
        i += 1
    # dictionaryWithObjectsAndKeys: alternates `value,` (possibly over several lines) and `@"key",`.
    want_key, depth = False, 0
    for text_, n in items:
        if want_key:
            m = re.fullmatch(r'@"([A-Za-z_][A-Za-z0-9_]*)",', text_)
            if m:
                root[m.group(1)] = n
            want_key = False
            continue
        depth += text_.count("[") + text_.count("(") + text_.count("{")
        depth -= text_.count("]") + text_.count(")") + text_.count("}")
        if depth <= 0 and text_.endswith(","):
            want_key, depth = True, 0
    table = None
    for n in range(i, len(lines)):
        m = re.match(r'\s*@"(\w+)"\s*:\s*@\{', lines[n])
        if m:
            table = m.group(1)
            tables[table] = {}
            continue
        if table:
            m = re.match(r'\s*@"(\w+)"\s*:', lines[n])
            if m:
                tables[table][m.group(1)] = n + 1
            elif re.match(r"\s*\}", lines[n]):
                table = None
    return root, tables


def mac_switches(repo, tag, platform):
    """{setting: {"supported": bool, "define": line, "check": line, "quits": line|None}} for one platform."""
    header, impl = MAC_SWITCHES[platform]
    h, m = show(repo, tag, header), show(repo, tag, impl)
    found = {}
    if not h or not m:
        return found
    for n, line in enumerate(h.splitlines(), 1):
        d = re.match(r"\s*#define\s+(\w+)ProctoringSupported\s+(YES|NO)", line)
        if d and d.group(1) in SWITCH_KEYS:
            found[SWITCH_KEYS[d.group(1)]] = {"supported": d.group(2) == "YES", "define": n}
    mlines = m.splitlines()
    for key in SWITCH_KEYS.values():
        if key not in found and f'SEB_{key}"' not in m:
            found[key] = {"unread": True}
    for n, line in enumerate(mlines, 1):
        for name, key in SWITCH_KEYS.items():
            if key in found and f"!{name}ProctoringSupported" in line and "if (" in line and "check" not in found[key]:
                found[key]["check"] = n
                window = mlines[n: n + 30]
                q = next((n + 1 + j for j, l in enumerate(window)
                          if "requestQuitSEBOrSession" in l or "sessionQuitRestart" in l), None)
                found[key]["quits"] = q
    return found


# ---------------------------------------------------------------- rows

def cite(repo_name, tag, commit, path, line):
    return f"{repo_name} {path}:{line} @ {tag} ({commit[:8]})"


def span(releases, present, newest):
    """since/until (major.minor strings) of the releases in which `present` holds."""
    got = [r for r in releases if r in present]
    if not got:
        return None
    return {"since": got[0], "until": None if newest in present else got[-1]}


def rel(v):
    return f"{v[0]}.{v[1]}"


def main():
    win = Path(sys.argv[1]) if len(sys.argv) > 1 else MIRRORS / "SafeExamBrowser+seb-win-refactoring/repo"
    mac = Path(sys.argv[2]) if len(sys.argv) > 2 else MIRRORS / "SafeExamBrowser+seb-mac/repo"
    catalog = json.loads((ROOT / "schemas/seb-catalog.json").read_text())["settings"]
    facts = json.loads((ROOT / "scripts/client-facts.json").read_text())
    sources, releases = {}, {"windows": [], "macos": [], "ios": []}
    # per platform: release -> (tag, commit, data); the newest patch tag of each release wins
    per = {"windows": {}, "macos": {}, "ios": {}}

    for v, _, tag in release_tags(win):
        data = windows_tag(win, tag)
        if data is None:
            continue
        commit = git(win, "rev-parse", f"refs/tags/{tag}^{{commit}}").strip()
        print(f"{WIN_REPO} {tag} {commit[:8]}: {WIN_KEYS} {len(data['consts'])} constants, "
              f"{len(data['read'])} keys referenced from {len(data['files'])} files, forced off: {sorted(data['forced'])}")
        per["windows"][rel(v)] = (tag, commit, data)
    for v, suffix, tag in release_tags(mac):
        text = show(mac, tag, MAC_DEFAULTS)
        if text is None:
            continue
        commit = git(mac, "rev-parse", f"refs/tags/{tag}^{{commit}}").strip()
        root, tables = parse_mac_defaults(text)
        platforms = {"_iOS": ["ios"], "_macOS": ["macos"]}.get(suffix, ["macos", "ios"])
        for p in platforms:
            sw = mac_switches(mac, tag, p)
            print(f"{MAC_REPO} {tag} {commit[:8]} ({p}): {MAC_DEFAULTS} {len(root)} keys, {len(tables)} tables; "
                  f"switches {json.dumps({k: s.get('supported', 'unread') for k, s in sw.items()})}")
            per[p][rel(v)] = (tag, commit, {"root": root, "tables": tables, "switches": sw})

    for p, repo_name in (("windows", WIN_REPO), ("macos", MAC_REPO), ("ios", MAC_REPO)):
        releases[p] = sorted(per[p], key=lambda r: tuple(map(int, r.split("."))))
        sources[p] = {"repository": repo_name, "tags": [
            {"release": r, "tag": per[p][r][0], "commit": per[p][r][1]} for r in releases[p]]}

    rows = {}
    for s in catalog:
        key = s["key"]
        row = {}
        for p in ("windows", "macos", "ios"):
            row[p] = platform_row(p, key, s, per[p], releases[p])
        rows[key] = row
    undecided_mac_keys(mac, per, rows)
    apply_facts(rows, facts)
    out = {
        "description": "Which SEB client release reads each setting of schemas/seb-catalog.json and which refuse "
                       "it. Generated by scripts/build-client-data.py from the clients' sources (see `sources`) "
                       "and the hand-written, cited facts in scripts/client-facts.json. Releases are major.minor; "
                       "`until` is the last release that reads a setting no longer read.",
        "sources": sources,
        "releases": {**releases, "sebServer": facts["sebServer"]["releases"]},
        "settings": rows,
    }
    (ROOT / "schemas/seb-clients.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    for p in ("windows", "macos", "ios"):
        known = sum(1 for r in rows.values() if r[p].get("reads") is not None)
        reads = sum(1 for r in rows.values() if r[p].get("reads"))
        refusals = sum(len(r[p].get("refusals", [])) for r in rows.values())
        print(f"{p}: releases {', '.join(releases[p])}; {len(rows)} rows, {known} decided, {reads} read by some "
              f"release, {refusals} refusals")
    print("wrote schemas/seb-clients.json")


def platform_row(p, key, setting, tags, releases):
    if not releases:
        return {"reads": None, "note": "no release tags read"}
    newest = releases[-1]
    present, where = set(), None
    for r in releases:
        tag, commit, data = tags[r]
        hit = lookup(p, key, data)
        if hit:
            present.add(r)
            where = (tag, commit, hit)
    row = {}
    sp = span(releases, present, newest)
    if sp is None:
        if setting.get("origin") == "sebc" or setting.get("expandsTo") or setting.get("hashedInto"):
            row = {"reads": None, "note": "sebc's own author-facing key; clients read "
                                          f"{setting.get('hashedInto') or 'the keys it expands to'}"}
        else:
            repo_file = WIN_KEYS if p == "windows" else MAC_DEFAULTS
            row = {"reads": False, "note": f"not in {repo_file} at any release tag read"}
    else:
        tag, commit, hit = where
        repo_name = WIN_REPO if p == "windows" else MAC_REPO
        row = {"reads": True, **sp, "source": [cite(repo_name, tag, commit, f, n) for f, n in hit]}
    cols = setting.get("columns") or []
    if cols and sp:
        crow = {}
        for c in cols:
            cp = set()
            cwhere = None
            for r in releases:
                tag, commit, data = tags[r]
                hit = lookup_column(p, key, c["key"], data)
                if hit:
                    cp.add(r)
                    cwhere = (tag, commit, hit)
            csp = span(releases, cp, newest)
            if csp is None:
                crow[c["key"]] = {"reads": False}
            else:
                tag, commit, hit = cwhere
                repo_name = WIN_REPO if p == "windows" else MAC_REPO
                crow[c["key"]] = {"reads": True, **csp, "source": [cite(repo_name, tag, commit, *hit)]}
        row["columns"] = crow
    refusals = switch_refusals(p, key, tags, releases)
    if refusals:
        row["refusals"] = refusals
    return row


def lookup(p, key, data):
    if p == "windows":
        hits = data["read"].get(key)
        if not hits:
            return None
        h = hits[0]
        return [(WIN_KEYS, h["line"]), h["ref"]]
    line = data["root"].get(key)
    return [(MAC_DEFAULTS, line)] if line else None


def lookup_column(p, table, column, data):
    if p == "windows":
        parents = {h["class"] for h in data["read"].get(table, [])}
        for h in data["read"].get(column, []):
            if h["class"] in parents:
                return (WIN_KEYS, h["line"])
        return None
    line = data["tables"].get(table, {}).get(column)
    return (MAC_DEFAULTS, line) if line else None


def switch_refusals(p, key, tags, releases):
    """Refusals the sources state per release: macOS/iOS `...ProctoringSupported NO`, Windows forced off."""
    hits = {}
    for r in releases:
        tag, commit, data = tags[r]
        if p == "windows":
            line = data["forced"].get(key)
            if line:
                hits[r] = ("forced off", [cite(WIN_REPO, tag, commit, WIN_PROCESSOR, line)],
                           "read, then switched off after loading")
        else:
            sw = data["switches"].get(key)
            if sw and sw.get("unread"):
                h, m = MAC_SWITCHES[p]
                hits[r] = ("ignored", [f"{MAC_REPO} {m} @ {tag} ({commit[:8]}): never reads SEB_{key}"],
                           "the key is stored, but no proctoring starts")
            elif sw and not sw["supported"]:
                h, m = MAC_SWITCHES[p]
                src = [cite(MAC_REPO, tag, commit, h, sw["define"])]
                if sw.get("check"):
                    src.append(cite(MAC_REPO, tag, commit, m, sw["check"]))
                if sw.get("quits"):
                    src.append(cite(MAC_REPO, tag, commit, m, sw["quits"]))
                effect = "quits" if sw.get("quits") else "refused"
                hits[r] = (effect, src, "shows \"Remote Proctoring Not Available\" and quits the session"
                           if effect == "quits" else "the feature is not supported")
    out = []
    for r in releases:
        if r not in hits:
            continue
        effect, src, note = hits[r]
        if out and out[-1]["effect"] == effect and out[-1]["until"] == prev(releases, r):
            out[-1]["until"] = r
            out[-1]["source"] = src
        else:
            out.append({"since": r, "until": r, "effect": effect, "when": True, "note": note, "source": src})
    for o in out:
        if o["until"] == releases[-1]:
            o["until"] = None
    return out


def prev(releases, r):
    i = releases.index(r)
    return releases[i - 1] if i else None


def undecided_mac_keys(repo, per, rows):
    """A key missing from the default settings dictionary but named in seb-mac's code is read through some
    other path (SEB Server, config-file handling): record it as undecided rather than as not read."""
    newest = {p: per[p][max(per[p], key=lambda r: tuple(map(int, r.split("."))))] for p in ("macos", "ios")}
    tag, commit, _ = newest["macos"]
    missing = [k for k, r in rows.items() if r["macos"].get("reads") is False or r["ios"].get("reads") is False]
    named = 0
    for key in missing:
        try:
            out = git(repo, "grep", "-n", "-m", "1", "-F", "-e", f'@"{key}"', "-e", f'SEB_{key}"',
                      f"refs/tags/{tag}", "--", "*.m", "*.h", "*.swift")
        except subprocess.CalledProcessError:
            continue
        first = out.splitlines()[0].split(":", 3)
        named += 1
        for p in ("macos", "ios"):
            if rows[key][p].get("reads") is False:
                rows[key][p] = {"reads": None, "note": "not in the default settings dictionary, but named in the "
                                "code; read through another path (not decided)",
                                "source": [cite(MAC_REPO, tag, commit, first[1], first[2])]}
    print(f"{MAC_REPO} {tag} {commit[:8]}: {len(missing)} catalog keys not in {MAC_DEFAULTS}, {named} of them "
          f"named elsewhere in the code (left undecided)")


def apply_facts(rows, facts):
    for key, per in facts["settings"].items():
        if key not in rows:
            raise SystemExit(f"scripts/client-facts.json names {key}, which is not in the catalog")
        for p, fact in per.items():
            row = rows[key].setdefault(p, {})
            for name, value in fact.items():
                if name == "refusals":
                    row.setdefault("refusals", []).extend(dict(v, handWritten=True) for v in value)
                    row["refusals"].sort(key=lambda o: tuple(map(int, o["since"].split("."))))
                else:
                    row[name] = value


if __name__ == "__main__":
    main()
