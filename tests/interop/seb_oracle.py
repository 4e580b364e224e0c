#!/usr/bin/env python3
"""Independent .seb decoder, used only by tests: Python's `cryptography` and `plistlib`, no sebc code.

usage: seb_oracle.py FILE.seb REFERENCE.plist [--password PW_ENV] [--admin ADMIN_ENV]
Decrypts FILE.seb (raw XML, gzip, plnd, pswd, pwcc), parses it with plistlib, and exits 0 when its
settings equal REFERENCE.plist's. Passwords are read from the named environment variables.
"""
import gzip
import hashlib
import hmac
import os
import plistlib
import sys

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC


def kdf(password: bytes, salt: bytes) -> bytes:
    return PBKDF2HMAC(algorithm=hashes.SHA1(), length=32, salt=salt, iterations=10000).derive(password)


def rncryptor_decrypt(blob: bytes, password: bytes) -> bytes:
    assert blob[0] in (2, 3) and blob[1] == 1, "RNCryptor header"
    enc_salt, hmac_salt, iv = blob[2:10], blob[10:18], blob[18:34]
    body, tag = blob[:-32], blob[-32:]
    if not hmac.compare_digest(hmac.new(kdf(password, hmac_salt), body, hashlib.sha256).digest(), tag):
        raise ValueError("HMAC mismatch")
    dec = Cipher(algorithms.AES(kdf(password, enc_salt)), modes.CBC(iv)).decryptor()
    padded = dec.update(body[34:]) + dec.finalize()
    unpad = padding.PKCS7(128).unpadder()
    return unpad.update(padded) + unpad.finalize()


def decode(data: bytes, password, admin) -> bytes:
    if data[:3] == b"\x1f\x8b\x08":
        data = gzip.decompress(data)
    if data[:5] == b"<?xml":
        return data
    prefix, payload = data[:4], data[4:]
    if prefix == b"plnd":
        inner = payload
    elif prefix == b"pswd":
        inner = rncryptor_decrypt(payload, password.encode())
    elif prefix == b"pwcc":
        key = hashlib.sha256(admin.encode()).hexdigest() if admin else ""
        inner = rncryptor_decrypt(payload, key.encode())
    else:
        raise ValueError(f"unknown prefix {prefix!r}")
    assert inner[:3] == b"\x1f\x8b\x08", "inner data must be gzip (SEB for macOS requires it)"
    xml = gzip.decompress(inner)
    assert xml[:5] == b"<?xml", "XML must start with <?xml (no BOM)"
    return xml


def main() -> int:
    args = sys.argv[1:]
    seb, ref = args[0], args[1]
    password = os.environ[args[args.index("--password") + 1]] if "--password" in args else None
    admin = os.environ[args[args.index("--admin") + 1]] if "--admin" in args else None
    with open(seb, "rb") as f:
        got = plistlib.loads(decode(f.read(), password, admin))
    with open(ref, "rb") as f:
        want = plistlib.load(f)
    if got != want:
        diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        print(f"{seb}: settings differ from {ref}: {diff[:10]}", file=sys.stderr)
        return 1
    print(f"{seb}: {len(got)} settings equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
