#!/usr/bin/env python3
"""A straightforward Python pipeline doing what `sebc compile` does for the exams of
benches/compile_many.sh, the peer its speed is compared with (not a second implementation to use).

Usage: python_peer.py SCHEMA_DIR CATALOG_JSON OUT_DIR EXAM_DIR [WORKERS]

Per exam, as sebc: load (PyYAML's C loader, tomllib, json) with its `extends` bases; validate with
jsonschema against the exam schema `sebc schema --out-dir` writes (formats asserted); merge the catalog
defaults, the bases, `seb`, `proctoring` and what the Jitsi service implies; the password hashed into
hashedQuitPassword; plist XML (plistlib) in SEB's key order; the Config Key (SHA-256 of SEB-JSON); the
`.seb` container gzip("plnd" + gzip(XML)) (the outer layer in stored blocks, as sebc writes it), or "pswd" with RNCryptor v3 (cryptography: PBKDF2-HMAC-SHA1
10,000 rounds twice, AES-256-CBC, HMAC-SHA256); `<id>.server.json` (0600) with the Config Key, the service
settings without secrets, ceil(participants / collectingRoomSize) collecting rooms and a town hall, each
with a proctor token and a participant token (PyJWT, HS256); every file written to a temporary file
and renamed; one line per exam on stdout. Exams are spread over WORKERS processes (default 2).
"""
import gzip
import hashlib
import hmac
import json
import math
import multiprocessing
import os
import sys
import tomllib

import jsonschema
import jwt
import plistlib
import referencing
import yaml
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

STATE = {}


def key_order(k):
    # SEB's order: case-insensitive, lowercase first among keys equal but for case.
    return (k.lower(), [c.isupper() for c in k])


def ordered(v):
    if isinstance(v, dict):
        return {k: ordered(v[k]) for k in sorted(v, key=key_order)}
    if isinstance(v, list):
        return [ordered(x) for x in v]
    return v


def seb_json(v):
    if isinstance(v, dict):
        items = [(k, x) for k, x in v.items() if k != "originatorVersion" and not (isinstance(x, dict) and not x)]
        items.sort(key=lambda kv: key_order(kv[0]))
        return "{" + ",".join(f'"{k}":{seb_json(x)}' for k, x in items) + "}"
    if isinstance(v, list):
        return "[" + ",".join(seb_json(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format(v, ".15g").upper()
    return f'"{v}"'


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".toml"):
        # TOML dates become RFC 3339 strings, as sebc reads them.
        doc = tomllib.loads(data.decode())
        for k, v in doc.get("exam", {}).items():
            if hasattr(v, "isoformat"):
                doc["exam"][k] = v.isoformat().replace("+00:00", "Z")
        return doc
    if path.endswith(".json"):
        return json.loads(data)
    return yaml.load(data, Loader=yaml.CSafeLoader)


def secret(ref):
    return os.environ[ref["env"]].encode()


def to_plist(v, ty):
    if ty == "integer" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v)
    if ty == "real" and isinstance(v, (int, float)):
        return float(v)
    return v


def init(schema_dir, catalog_path):
    with open(f"{schema_dir}/exam.schema.json") as f:
        exam_schema = json.load(f)
    with open(f"{schema_dir}/seb-settings.schema.json") as f:
        settings_schema = json.load(f)
    # sebc resolves the exam schema's relative reference from sebc:///schemas/exam.schema.json (an
    # http base here: Python joins relative references only for schemes it knows).
    base = "https://sebc.invalid/schemas/"
    spec = referencing.jsonschema.DRAFT202012
    registry = referencing.Registry().with_resources([
        (base + "exam.schema.json", referencing.Resource.from_contents(exam_schema, default_specification=spec)),
        (base + "seb-settings.schema.json", referencing.Resource.from_contents(settings_schema, default_specification=spec)),
    ])
    cls = jsonschema.validators.validator_for(exam_schema)
    rooted = dict(exam_schema, **{"$id": base + "exam.schema.json"})
    STATE["validator"] = cls(rooted, registry=registry, format_checker=cls.FORMAT_CHECKER)
    with open(catalog_path) as f:
        catalog = json.load(f)
    STATE["types"] = {s["key"]: s["type"] for s in catalog["settings"]}
    STATE["defaults"] = {
        s["key"]: to_plist(s["default"], s["type"])
        for s in catalog["settings"]
        if s.get("emitDefault") and s.get("default") is not None and s["type"] != "secret"
    }


def write_atomic(path, data, mode=0o644):
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def rncryptor(data, password):
    enc_salt, hmac_salt, iv = os.urandom(8), os.urandom(8), os.urandom(16)
    kdf = lambda salt: PBKDF2HMAC(hashes.SHA1(), 32, salt, 10000).derive(password)
    key, hkey = kdf(enc_salt), kdf(hmac_salt)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    body = b"\x03\x01" + enc_salt + hmac_salt + iv + enc.update(padded) + enc.finalize()
    return body + hmac.new(hkey, body, hashlib.sha256).digest()


def apply(settings, section):
    for k, v in (section or {}).items():
        if k == "quitPassword":
            settings["hashedQuitPassword"] = hashlib.sha256(secret(v)).hexdigest()
        elif v is None:
            settings.pop(k, None)
        else:
            settings[k] = to_plist(v, STATE["types"].get(k))


def compile_exam(args):
    path, out_dir, now = args
    doc = load(path)
    errors = sorted(STATE["validator"].iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        return f"error {path}: {errors[0].message}"
    settings = dict(STATE["defaults"])
    exam_stub = {"id": "template"}
    for base in doc.get("extends", []):
        b = load(os.path.normpath(os.path.join(os.path.dirname(path), base)))
        # A template need not have an `exam` section (sebc validates bases as templates).
        problems = [e for e in STATE["validator"].iter_errors(dict(b, exam=exam_stub)) if e.validator != "required"]
        if problems:
            return f"error {path}: {problems[0].message}"
        apply(settings, b.get("seb"))
    apply(settings, doc.get("seb"))
    apply(settings, doc.get("proctoring"))
    exam, service = doc["exam"], doc.get("service")
    if service and service.get("enableProctoring"):
        settings["jitsiMeetEnable"] = True
        settings["proctoringSelectedServiceType"] = 0
    settings = ordered(settings)
    xml = plistlib.dumps(settings, fmt=plistlib.FMT_XML, sort_keys=False)
    config_key = hashlib.sha256(seb_json(settings).encode()).hexdigest()
    inner = gzip.compress(xml, compresslevel=1, mtime=0)
    enc = doc.get("output", {}).get("encryption")
    if isinstance(enc, dict) and "password" in enc:
        body = b"pswd" + rncryptor(inner, secret(enc["password"]))
    else:
        body = b"plnd" + inner
    name = f"{exam['id']}.seb"
    write_atomic(os.path.join(out_dir, name), gzip.compress(body, compresslevel=0, mtime=0))
    server = {"exam": exam, "file": name, "configKey": config_key}
    if service:
        key = secret(service["appSecret"])
        server["proctoringServiceSettings"] = {k: v for k, v in service.items() if k != "appSecret"}
        end = int(now) + 4 * 3600
        rooms = []
        size = service.get("collectingRoomSize", 20)
        n = math.ceil(exam.get("participants", 0) / size) if size else 0
        plan = [("TOWN_HALL", 0)] + [("COLLECTING", i + 1) for i in range(n)]
        for ty, number in plan:
            room = f"{exam['id']}-{'townhall' if number == 0 else number}"
            subject = f"{exam['name']} {'Town Hall' if number == 0 else number}"
            claims = lambda moderator: {
                "context": {"user": {"name": "proctor" if moderator else "seb", "moderator": moderator}},
                "moderator": moderator, "aud": service["appKey"], "iss": service["appKey"],
                "sub": "meet.example.org", "room": room, "exp": end,
            }
            rooms.append({
                "type": ty, "number": number, "name": room, "subject": subject, "size": size,
                "proctorToken": jwt.encode(claims(True), key, algorithm="HS256"),
                "seb": {"jitsiMeetServerURL": service["serverURL"], "jitsiMeetRoom": room,
                        "jitsiMeetSubject": subject, "jitsiMeetToken": jwt.encode(claims(False), key, algorithm="HS256"),
                        "roomType": ty},
            })
        server["tokensExpire"] = end
        server["rooms"] = rooms
    write_atomic(os.path.join(out_dir, f"{exam['id']}.server.json"),
                 json.dumps(server, indent=2, ensure_ascii=False).encode(), 0o600)
    return f"{exam['id']} {os.path.join(out_dir, name)} {config_key}"


def exams(root):
    for d, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "templates")
        for f in sorted(files):
            if f.endswith((".yaml", ".yml", ".toml", ".json")) and not f.endswith(".server.json"):
                yield os.path.join(d, f)


def main():
    schema_dir, catalog, out_dir, root = sys.argv[1:5]
    workers = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    now = os.environ.get("SOURCE_DATE_EPOCH", "0")
    os.makedirs(out_dir, exist_ok=True)
    jobs = [(p, out_dir, now) for p in exams(root)]
    with multiprocessing.Pool(workers, initializer=init, initargs=(schema_dir, catalog)) as pool:
        failed = 0
        for line in pool.imap(compile_exam, jobs, chunksize=16):
            failed += line.startswith("error ")
            print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
