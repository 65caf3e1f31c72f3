#!/usr/bin/env python3
"""An independent check of C2SP signed notes and tlog checkpoints, written from the C2SP texts
(signed-note, tlog-checkpoint), sharing no code with Signet.

  note_verify.py VKEY_FILE NOTE_FILE   -> prints {"origin", "size", "root"} as JSON and exits 0 when a signature by
                                          the verifier key verifies; exits 1 otherwise.
  note_verify.py VKEY_FILE --tiles DIR -> also rebuilds the root from DIR's level-0 tiles (C2SP tlog-tiles) and
                                          the entry bundles (RFC 9162 hashing), and exits 1 unless it matches.
                                          DIR may be an http:// URL: the log's prefix on a server.
"""
import base64
import hashlib
import json
import sys
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(why):
    print(json.dumps({"error": why}))
    sys.exit(1)


def tile_path(level, index, width=None):
    # Index as 3-digit groups, all but the last prefixed with "x".
    digits = []
    while True:
        digits.insert(0, index % 1000)
        index //= 1000
        if index == 0:
            break
    parts = ["x%03d" % d for d in digits[:-1]] + ["%03d" % digits[-1]]
    path = "tile/%s/%s" % (level, "/".join(parts))
    return path + (".p/%d" % width if width else "")


def mth(hashes):
    # RFC 9162 Merkle Tree Hash over leaf hashes: split at the largest power of two below n.
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def read(directory, path):
    if directory.startswith("http://") or directory.startswith("https://"):
        with urllib.request.urlopen(directory + "/" + path, timeout=30) as answer:
            return answer.read()
    with open("%s/%s" % (directory, path), "rb") as f:
        return f.read()


def rebuild_root(directory, size):
    leaves = []
    for t in range((size + 255) // 256):
        width = min(256, size - t * 256)
        suffix = None if width == 256 else width
        tile = read(directory, tile_path(0, t, suffix))
        bundle = read(directory, tile_path("entries", t, suffix))
        if len(tile) != 32 * width:
            fail("tile %d has the wrong size" % t)
        hashes = [tile[i * 32 : (i + 1) * 32] for i in range(width)]
        offset = 0
        for h in hashes:
            n = int.from_bytes(bundle[offset : offset + 2], "big")
            entry = bundle[offset + 2 : offset + 2 + n]
            offset += 2 + n
            if hashlib.sha256(b"\x00" + entry).digest() != h:
                fail("an entry does not hash to its leaf")
        leaves += hashes
    return base64.b64encode(mth(leaves)).decode()


def main():
    vkey = open(sys.argv[1], encoding="utf-8").read().strip()
    tiles = None
    if sys.argv[2] == "--tiles":
        tiles = sys.argv[3]
        note = read(tiles, "checkpoint")
    else:
        note = open(sys.argv[2], "rb").read()
    # Verifier key: <name>+<hex key id>+<base64 of type byte || key>.
    name, key_id_hex, key_b64 = vkey.split("+", 2)
    key = base64.b64decode(key_b64, validate=True)
    if len(key) != 33 or key[0] != 0x01:
        fail("not an Ed25519 verifier key")
    key_id = bytes.fromhex(key_id_hex)
    if hashlib.sha256(name.encode() + b"\n" + key).digest()[:4] != key_id:
        fail("key id does not match the name and key")
    public = Ed25519PublicKey.from_public_bytes(key[1:])

    # The note: text, a blank line, then signature lines "— <name> <base64(key id || signature)>".
    text = note.decode("utf-8")
    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n"):
        fail("no signature block")
    body = text[: split + 1]
    ok = False
    for line in text[split + 2 :].splitlines():
        if not line.startswith("\u2014 "):
            fail("malformed signature line")
        signer, sig_b64 = line[2:].split(" ")
        raw = base64.b64decode(sig_b64, validate=True)
        if signer != name or raw[:4] != key_id:
            continue
        try:
            public.verify(raw[4:], body.encode("utf-8"))
            ok = True
        except InvalidSignature:
            fail("signature does not verify")
    if not ok:
        fail("no signature by the verifier key")
    # Checkpoint body: origin, decimal size, base64 root hash, optional extension lines.
    lines = body.split("\n")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size.startswith("0") and size != "0") or len(base64.b64decode(root, validate=True)) != 32:
        fail("malformed checkpoint")
    out = {"origin": origin, "size": int(size), "root": root}
    if tiles is not None:
        rebuilt = rebuild_root(tiles, int(size))
        if rebuilt != root:
            fail("the tiles rebuild %s, not the checkpoint's %s" % (rebuilt, root))
        out["tiles_root"] = rebuilt
    print(json.dumps(out))


if __name__ == "__main__":
    main()
