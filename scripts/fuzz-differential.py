#!/usr/bin/env python3
"""Differential fuzzer: Signet's verifier against c2pa-rs (through c2pa-python), the oracle.

Plays the attacker: mutates signed JPEG and PNG files structurally (JPEG segments, APP11 JPEG-XT packets, PNG
chunks, the JUMBF box tree of the C2PA store, the COSE unprotected header's pad) and with plain byte flips, runs
`signet verify --json` and c2pa-rs on every mutant and reports where they disagree.

  scripts/fuzz-differential.py [--seconds 600] [--seed 1] [--signet PATH] [--out test-artifacts/fuzz]
                               [--workers 2] [--batch 24] [--corpus DIR] [--replay N]

The seed corpus is generated at start (Pillow images signed with the development credentials in Keys/, by Signet
with several algorithms, as an edit chain, and by c2pa-rs itself) and written to OUT/seeds/ for reproduction;
`--corpus OUT/seeds` reuses such a corpus, and with the same --seed, `--replay N` rebuilds mutant N exactly.

Categories:
  accept   Signet says Valid/Trusted while c2pa-rs says Invalid or refuses to read it; or Signet Trusted where
           c2pa-rs is only Valid. These are the disagreements that matter (a forgery a platform would accept).
  refuse   Signet says Invalid (or refuses) while c2pa-rs says Valid/Trusted; or Signet Valid where c2pa-rs says
           Trusted. Logged separately (each is either a Signet bug or a documented deviation).
  crash    signet died of a signal.  badexit: an exit status other than 0/1/2.  hang: no answer in 20 s.
  noout    signet printed no report for a file (the verdict is lost).
  forgery  both accept a mutant built as a keyless forgery (a single pad-shrink mutation whose freed bytes hold a
           new segment or chunk inside the old exclusion): the oracle is fooled too, Signet must still refuse.
  agree    both say the same thing.
Interesting mutants are written to OUT/ with a JSON note each (at most --keep per class). Exit status 1 if any
accept, forgery, crash, badexit, hang or noout was found, else 0.
"""
import argparse
import atexit
import binascii
import collections
import hashlib
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_PY = os.path.join(ROOT, ".venv", "bin", "python")
ORACLE = os.path.join(ROOT, "Tests", "Interop", "oracle.py")
KEYS = os.path.join(ROOT, "Keys")
ANCHORS = os.path.join(KEYS, "root-ca.pem")
HANG_SECONDS = 20

try:
    import c2pa  # noqa: F401
    from PIL import Image  # noqa: F401
except ImportError:
    if os.path.exists(VENV_PY) and os.path.realpath(sys.executable) != os.path.realpath(VENV_PY):
        os.execv(VENV_PY, [VENV_PY, os.path.abspath(__file__)] + sys.argv[1:])
    sys.exit("c2pa-python and Pillow are needed: python3 -m venv .venv && "
             ".venv/bin/pip install -r Tests/Interop/requirements.txt")

sys.path.insert(0, os.path.dirname(ORACLE))
import oracle  # noqa: E402  (the project's oracle: its trust settings are the tests' settings)


# ---------------------------------------------------------------------------------------------------------------
# Small binary helpers

def u16(b, p):
    return struct.unpack_from(">H", b, p)[0]


def u32(b, p):
    return struct.unpack_from(">I", b, p)[0]


def u64(b, p):
    return struct.unpack_from(">Q", b, p)[0]


def png_chunk(ctype, data, crc=None):
    if crc is None:
        crc = binascii.crc32(ctype + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


# ---------------------------------------------------------------------------------------------------------------
# JUMBF box walker (ISO 19566-5): LBox, TBox, optional XLBox; 'jumb' superboxes start with a 'jumd' description

C2PA_UUID_TAIL = bytes.fromhex("00110010800000AA00389B71")
KNOWN_UUID4 = [b"c2pa", b"c2ma", b"c2um", b"c2as", b"c2cl", b"c2cs", b"cbor", b"json", b"bfdb", b"bidb", b"uuid",
               b"c2ar", b"c2ai", b"c2vc", b"zzzz", b"C2MA"]
BOX_TYPES = [b"jumb", b"jumd", b"cbor", b"json", b"bfdb", b"bidb", b"uuid", b"c2sh", b"free", b"jp2c", b"xxxx"]


class Box:
    __slots__ = ("start", "hdr", "end", "type", "lbox", "children", "parent", "desc")

    def __init__(self, start, hdr, end, btype, lbox, parent):
        self.start, self.hdr, self.end, self.type, self.lbox = start, hdr, end, btype, lbox
        self.children, self.parent, self.desc = [], parent, None

    @property
    def payload(self):
        return self.start + self.hdr

    def uuid4(self):
        d = self.description()
        return d["uuid"][:4] if d else None

    def label(self):
        d = self.description()
        return d["label"] if d else None

    def description(self):
        if self.type == b"jumb" and self.children and self.children[0].type == b"jumd":
            return self.children[0].desc
        return None


def parse_jumd(b, box):
    p, end = box.payload, box.end
    if end - p < 17:
        return None
    d = {"uuid_at": p, "uuid": bytes(b[p:p + 16]), "toggles_at": p + 16, "toggles": b[p + 16],
         "label": None, "label_at": None, "label_end": None}
    q = p + 17
    if d["toggles"] & 0x02:
        z = b.find(b"\x00", q, end)
        if z < 0:
            return d
        d["label_at"], d["label_end"] = q, z
        d["label"] = bytes(b[q:z]).decode("utf-8", "replace")
    return d


def parse_boxes(b, start, end, parent=None, depth=0, budget=None):
    if budget is None:
        budget = [20000]
    out, pos = [], start
    while pos + 8 <= end and budget[0] > 0:
        budget[0] -= 1
        lbox, btype, hdr = u32(b, pos), bytes(b[pos + 4:pos + 8]), 8
        if lbox == 1:
            if pos + 16 > end:
                break
            size, hdr = u64(b, pos + 8), 16
        elif lbox == 0:
            size = end - pos
        else:
            size = lbox
        if size < hdr or pos + size > end:
            break
        box = Box(pos, hdr, pos + size, btype, lbox, parent)
        if btype == b"jumb" and depth < 32:
            box.children = parse_boxes(b, pos + hdr, pos + size, box, depth + 1, budget)
        elif btype == b"jumd":
            box.desc = parse_jumd(b, box)
        out.append(box)
        pos += size
    return out


def all_boxes(boxes):
    for bx in boxes:
        yield bx
        yield from all_boxes(bx.children)


def splice(store, roots, a, b, new):
    """Replace store[a:b] with new and fix the length of every box whose payload holds [a, b)."""
    delta = len(new) - (b - a)
    out = bytearray(store[:a]) + bytearray(new) + bytearray(store[b:])
    for bx in all_boxes(roots):
        if bx.payload <= a and b <= bx.end and bx.start < a:
            size = bx.end - bx.start + delta
            if bx.lbox == 1:
                struct.pack_into(">Q", out, bx.start + 8, size)
            elif bx.lbox != 0:
                if size > 0xFFFFFFFF or size < 0:
                    continue
                struct.pack_into(">I", out, bx.start, size)
    return bytes(out)


def manifests(roots):
    if not roots or roots[0].uuid4() != b"c2pa":
        return []
    return [c for c in roots[0].children if c.type == b"jumb"]


# ---------------------------------------------------------------------------------------------------------------
# Minimal CBOR: enough to find the COSE_Sign1 unprotected header's pad

def cbor_head(b, p):
    ib = b[p]
    mt, ai = ib >> 5, ib & 31
    if ai < 24:
        return mt, ai, 1
    if ai == 24:
        return mt, b[p + 1], 2
    if ai == 25:
        return mt, u16(b, p + 1), 3
    if ai == 26:
        return mt, u32(b, p + 1), 5
    if ai == 27:
        return mt, u64(b, p + 1), 9
    if ai == 31:
        return mt, None, 1
    raise ValueError("bad cbor head")


def cbor_skip(b, p, depth=0):
    if depth > 64:
        raise ValueError("deep")
    mt, v, h = cbor_head(b, p)
    p += h
    if mt in (0, 1, 7):
        return p
    if mt in (2, 3):
        if v is None:
            while b[p] != 0xFF:
                p = cbor_skip(b, p, depth + 1)
            return p + 1
        return p + v
    if mt == 6:
        return cbor_skip(b, p, depth + 1)
    n = None if v is None else (v if mt == 4 else 2 * v)
    if n is None:
        while b[p] != 0xFF:
            p = cbor_skip(b, p, depth + 1)
        return p + 1
    for _ in range(n):
        p = cbor_skip(b, p, depth + 1)
    return p


def bstr_head(n):
    if n < 24:
        return bytes([0x40 | n])
    if n < 256:
        return bytes([0x58, n])
    if n < 65536:
        return b"\x59" + struct.pack(">H", n)
    return b"\x5a" + struct.pack(">I", n)


def find_pads(store, roots):
    """(head_at, head_len, length, key) of each text-keyed 'pad*' byte string in a COSE unprotected header."""
    found = []
    for m in manifests(roots):
        for c in m.children:
            if c.type != b"jumb" or c.uuid4() != b"c2cs":
                continue
            for content in c.children[1:]:
                if content.type != b"cbor":
                    continue
                try:
                    p, end = content.payload, content.end
                    mt, v, h = cbor_head(store, p)
                    if mt == 6:
                        p += h
                    mt, v, h = cbor_head(store, p)
                    if mt != 4:
                        continue
                    p = cbor_skip(store, p + h)            # protected
                    mt, n, h = cbor_head(store, p)
                    if mt != 5 or n is None:
                        continue
                    p += h
                    for _ in range(n):
                        kmt, kv, kh = cbor_head(store, p)
                        key = bytes(store[p + kh:p + kh + kv]) if kmt == 3 else None
                        p = cbor_skip(store, p)
                        vmt, vv, vh = cbor_head(store, p)
                        if key and key.startswith(b"pad") and vmt == 2 and vv is not None and p + vh + vv <= end:
                            found.append((p, vh, vv, key.decode()))
                        p = cbor_skip(store, p)
                except (ValueError, IndexError, struct.error):
                    continue
    return found


# ---------------------------------------------------------------------------------------------------------------
# Containers: JPEG segments with APP11 JPEG-XT packets, PNG chunks

class Seg:
    __slots__ = ("marker", "start", "end", "entropy_end")

    def __init__(self, marker, start, end):
        self.marker, self.start, self.end, self.entropy_end = marker, start, end, end


class Asset:
    """A parsed JPEG or PNG and its C2PA store (if any)."""

    def __init__(self, data, fmt):
        self.data, self.fmt = bytes(data), fmt
        self.segs, self.chunks = [], []
        self.store, self.roots = None, []
        self.packets, self.en, self.store_chunk = [], None, None
        self.run = None  # (start, end) of the bytes holding the store
        if fmt == "jpeg":
            self._jpeg()
        else:
            self._png()
        if self.store is not None:
            try:
                self.roots = parse_boxes(self.store, 0, len(self.store))
            except (IndexError, struct.error):
                self.roots = []

    def _jpeg(self):
        b = self.data
        if b[:2] != b"\xff\xd8":
            return
        pos = 2
        while pos + 1 < len(b):
            if b[pos] != 0xFF:
                break
            if b[pos + 1] == 0xFF:
                pos += 1
                continue
            m = b[pos + 1]
            if m == 0x01 or 0xD0 <= m <= 0xD7:
                self.segs.append(Seg(m, pos, pos + 2))
                pos += 2
                continue
            if m == 0xD9:
                self.segs.append(Seg(m, pos, pos + 2))
                break
            if pos + 4 > len(b):
                break
            s = Seg(m, pos, min(len(b), pos + 2 + u16(b, pos + 2)))
            self.segs.append(s)
            pos = s.end
            if m == 0xDA:
                p = pos
                while p + 1 < len(b):
                    if b[p] == 0xFF and b[p + 1] != 0x00 and not 0xD0 <= b[p + 1] <= 0xD7 and b[p + 1] != 0xFF:
                        break
                    p += 1
                s.entropy_end = p
                pos = p
        groups = collections.OrderedDict()
        for s in self.segs:
            if s.marker == 0xEB and s.end - s.start >= 12 + 8 and b[s.start + 4:s.start + 6] == b"JP":
                groups.setdefault(u16(b, s.start + 6), []).append(s)
        for en, segs in groups.items():
            segs = sorted(segs, key=lambda s: u32(b, s.start + 8))
            first = b[segs[0].start + 12:segs[0].end]
            hdr = 16 if u32(first, 0) == 1 else 8
            if first[4:8] != b"jumb" or first[hdr + 4:hdr + 8] != b"jumd" or first[hdr + 8:hdr + 12] != b"c2pa":
                continue
            store = bytearray(first)
            for s in segs[1:]:
                store += b[s.start + 12 + hdr:s.end]
            self.store, self.en, self.packets = bytes(store), en, segs
            self.run = (min(s.start for s in segs), max(s.end for s in segs))
            return

    def _png(self):
        b = self.data
        if b[:8] != b"\x89PNG\r\n\x1a\n":
            return
        pos = 8
        while pos + 12 <= len(b):
            n, t = u32(b, pos), bytes(b[pos + 4:pos + 8])
            end = pos + 12 + n
            if end > len(b):
                break
            self.chunks.append((t, pos, pos + 8, pos + 8 + n, end))
            if t == b"caBX" and self.store is None:
                self.store, self.store_chunk, self.run = bytes(b[pos + 8:pos + 8 + n]), len(self.chunks) - 1, (pos, end)
            pos = end
            if t == b"IEND":
                break

    def store_bytes(self, store, fix_crc=True):
        """The bytes that carry `store` in this container (APP11 packets, or a caBX chunk)."""
        if self.fmt == "png":
            old = self.chunks[self.store_chunk]
            crc = None if fix_crc else u32(self.data, old[3])
            return png_chunk(b"caBX", store, crc)
        return app11_packets(store, self.en)

    def with_store(self, store, fix_crc=True, extra=b""):
        """The file with its store replaced (lengths and CRC consistent), `extra` right after the store's bytes.
        Packets that were not contiguous are gathered where the first one was."""
        a, e = self.run
        between = b""
        if self.fmt == "jpeg" and len(self.packets) > 1:
            cut = sorted((s.start, s.end) for s in self.packets)
            between = b"".join(self.data[s1:t0] for (s0, s1), (t0, t1) in zip(cut, cut[1:]))
        return self.data[:a] + self.store_bytes(store, fix_crc) + extra + between + self.data[e:]

    def boundaries(self):
        """Offsets between segments / chunks (where bytes can be inserted)."""
        if self.fmt == "jpeg":
            pts = [s.start for s in self.segs] + [s.entropy_end for s in self.segs]
        else:
            pts = [c[1] for c in self.chunks] + [c[4] for c in self.chunks]
        return sorted(set(p for p in pts if 2 <= p <= len(self.data))) or [len(self.data)]

    def pixel_range(self):
        if self.fmt == "jpeg":
            for s in self.segs:
                if s.marker == 0xDA and s.entropy_end > s.end + 4:
                    return s.end, s.entropy_end
        else:
            for t, st, ds, de, en in self.chunks:
                if t == b"IDAT" and de > ds + 4:
                    return ds, de
        return None


def app11_packets(store, en, room=65525):
    """JPEG-XT packets (APP11, CI 'JP', En, Z) carrying a JUMBF box; continuation packets repeat its header."""
    hdr = store[:16] if len(store) >= 8 and u32(store, 0) == 1 else store[:8]
    out, pos, z = bytearray(), 0, 1
    while pos < len(store) or z == 1:
        piece = store[pos:pos + room - (0 if z == 1 else len(hdr))]
        body = (b"" if z == 1 else hdr) + piece
        out += b"\xff\xeb" + struct.pack(">H", 10 + len(body)) + b"JP" + struct.pack(">HI", en & 0xFFFF, z) + body
        pos += len(piece)
        z += 1
    return bytes(out)


def detect(data):
    return "png" if data[:4] == b"\x89PNG" else "jpeg"


# ---------------------------------------------------------------------------------------------------------------
# Filler segments and chunks of an exact size (for bytes freed inside the old exclusion range)

def jpeg_filler(n, rng):
    """n bytes of JPEG that a decoder takes as segments: an APP1 Exif (Orientation 6) when there is room."""
    if n < 4:
        return b"\xff" * n, "0xFF fill bytes"
    if n >= 36 and rng.random() < 0.7:
        tiff = b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x01" + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + b"\x00" * 4
        body = b"Exif\x00\x00" + tiff
        body += b"\x00" * (n - 4 - len(body))
        return b"\xff\xe1" + struct.pack(">H", n - 2) + body, "APP1 Exif Orientation=6"
    if rng.random() < 0.5:
        return b"\xff\xfe" + struct.pack(">H", n - 2) + (b"fuzz" * n)[:n - 4], "COM segment"
    return b"\xff\xe2" + struct.pack(">H", n - 2) + bytes(rng.randrange(256) for _ in range(n - 4)), "APP2 junk"


def png_filler(n, rng):
    if n < 12:
        return bytes(rng.randrange(256) for _ in range(n)), "raw junk (too small for a chunk)"
    if n == 16 or (n >= 28 and rng.random() < 0.7):
        gama = png_chunk(b"gAMA", struct.pack(">I", 22000))
        if n == 16:
            return gama, "gAMA chunk"
        return gama + png_chunk(b"tEXt", b"k\x00" + b"v" * (n - 16 - 14)), "gAMA + tEXt chunks"
    return png_chunk(b"tEXt", b"Comment\x00" + b"x" * (n - 12 - 8))[:n] if n >= 20 else \
        png_chunk(b"tEXt", b"k" * (n - 12)), "tEXt chunk"


def filler(fmt, n, rng):
    return jpeg_filler(n, rng) if fmt == "jpeg" else png_filler(n, rng)


# ---------------------------------------------------------------------------------------------------------------
# Mutations: each takes (asset, rng, corpus) and returns (new bytes, description) or None if it does not apply

def pick_box(a, rng, pred=lambda b: True):
    boxes = [b for b in all_boxes(a.roots) if pred(b)]
    return rng.choice(boxes) if boxes else None


def box_name(b):
    lab = b.label() if b.type == b"jumb" else None
    if lab:
        u = b.uuid4() or b"?"
        return f"jumb[{u.decode() if all(32 < c < 127 for c in u) else u.hex()}:{lab}]"
    parent = b.parent.label() if b.parent else None
    return f"{b.type.decode('latin1')}@{b.start}" + (f" in {parent}" if parent else "")


def m_desc_uuid(a, rng, corpus):
    if rng.random() < 0.5:
        ms = manifests(a.roots)
        if not ms:
            return None
        m = ms[-1] if rng.random() < 0.7 else rng.choice(ms)
    else:
        m = pick_box(a, rng, lambda b: b.description() is not None)
        if m is None:
            return None
    d = m.description()
    old = d["uuid"][:4]
    new = {b"c2ma": b"c2um", b"c2um": b"c2ma"}.get(old) if rng.random() < 0.7 else None
    new = new or rng.choice([u for u in KNOWN_UUID4 if u != old])
    s = bytearray(a.store)
    s[d["uuid_at"]:d["uuid_at"] + 4] = new
    return a.with_store(bytes(s)), f"jumd type {old.decode('latin1')}->{new.decode('latin1')} on {box_name(m)}"


def m_desc_uuid_tail(a, rng, corpus):
    m = pick_box(a, rng, lambda b: b.description() is not None)
    if m is None:
        return None
    d = m.description()
    s = bytearray(a.store)
    i = d["uuid_at"] + rng.randrange(4, 16)
    s[i] ^= 1 << rng.randrange(8)
    return a.with_store(bytes(s)), f"jumd UUID byte {i - d['uuid_at']} flipped on {box_name(m)}"


def m_desc_toggles(a, rng, corpus):
    m = pick_box(a, rng, lambda b: b.description() is not None)
    if m is None:
        return None
    d = m.description()
    s = bytearray(a.store)
    mask = rng.choice([0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x80, rng.randrange(1, 256)])
    s[d["toggles_at"]] ^= mask
    return a.with_store(bytes(s)), f"jumd toggles {d['toggles']:#04x}^{mask:#04x} on {box_name(m)}"


def m_desc_label(a, rng, corpus):
    labelled = [b for b in all_boxes(a.roots) if b.description() and b.description()["label_at"] is not None]
    if not labelled:
        return None
    m = rng.choice(labelled)
    d = m.description()
    old = d["label"]
    others = [b.label() for b in labelled if b is not m and b.label() != old]
    variants = {
        "claim-version": {"c2pa.claim.v2": "c2pa.claim", "c2pa.claim": "c2pa.claim.v2"}.get(old),
        "append": old + rng.choice(["x", "__1", ".v2", "/", "\u00e9"]),
        "truncate": old[:-1],
        "empty": "",
        "other": rng.choice(others) if others else None,
        "case": old.upper(),
        "hash-kind": {"c2pa.hash.data": rng.choice(["c2pa.hash.boxes", "c2pa.hash.bmff.v2",
                                                    "c2pa.hash.data__1"])}.get(old),
    }
    choices = [k for k, v in variants.items() if v is not None and v != old]
    if m.uuid4() == b"c2cl" and variants["claim-version"]:
        choices += ["claim-version"] * 4
    kind = rng.choice(choices)
    new = variants[kind].encode()
    store = splice(a.store, a.roots, d["label_at"], d["label_end"], new)
    return a.with_store(store), f"label {old!r}->{new.decode()!r} ({kind}) on {box_name(m)}"


def m_box_type(a, rng, corpus):
    b = pick_box(a, rng)
    if b is None:
        return None
    new = rng.choice([t for t in BOX_TYPES if t != b.type])
    s = bytearray(a.store)
    s[b.start + 4:b.start + 8] = new
    return a.with_store(bytes(s)), f"box type {b.type.decode('latin1')}->{new.decode('latin1')} at {box_name(b)}"


def m_box_length(a, rng, corpus):
    b = pick_box(a, rng)
    if b is None:
        return None
    s = bytearray(a.store)
    size = b.end - b.start
    kind = rng.choice(["+1", "-1", "+4", "-4", "0", "1", "huge", "8", "7", "rest"])
    value = {"+1": size + 1, "-1": size - 1, "+4": size + 4, "-4": size - 4, "0": 0, "1": 1, "huge": 0xFFFFFFFF,
             "8": 8, "7": 7, "rest": len(s) - b.start}[kind]
    if b.lbox == 1 and kind not in ("0", "1"):
        struct.pack_into(">Q", s, b.start + 8, max(0, value))
    else:
        struct.pack_into(">I", s, b.start, max(0, value) & 0xFFFFFFFF)
    return a.with_store(bytes(s)), f"LBox {size}->{kind} at {box_name(b)} (enclosing boxes left as they were)"


def m_box_grow(a, rng, corpus):
    b = pick_box(a, rng)
    if b is None:
        return None
    n = rng.choice([1, 4, 16, 100])
    if b.type == b"jumb" and rng.random() < 0.5:
        extra = struct.pack(">I", 8 + n) + rng.choice([b"free", b"cbor", b"json", b"jumb", b"xxxx"]) + bytes(n)
        what = f"child box {extra[4:8].decode()} appended"
    else:
        extra = bytes(rng.randrange(256) for _ in range(n)) if rng.random() < 0.5 else bytes(n)
        what = f"{n} bytes appended"
    store = splice(a.store, a.roots, b.end, b.end, extra)
    return a.with_store(store), f"{what} inside {box_name(b)} (lengths fixed)"


def m_box_remove(a, rng, corpus):
    b = pick_box(a, rng, lambda b: b.parent is not None)
    if b is None:
        return None
    store = splice(a.store, a.roots, b.start, b.end, b"")
    return a.with_store(store), f"box {box_name(b)} removed (lengths fixed)"


def m_box_duplicate(a, rng, corpus):
    b = pick_box(a, rng, lambda b: b.parent is not None)
    if b is None:
        return None
    at = b.end if rng.random() < 0.6 else b.start
    store = splice(a.store, a.roots, at, at, a.store[b.start:b.end])
    return a.with_store(store), f"box {box_name(b)} duplicated {'after' if at == b.end else 'before'} itself"


def m_box_swap(a, rng, corpus):
    parents = [p for p in all_boxes(a.roots) if len(p.children) >= 3]
    if not parents:
        return None
    p = rng.choice(parents)
    i, j = sorted(rng.sample(range(1, len(p.children)), 2)) if len(p.children) > 2 else (0, 1)
    x, y = p.children[i], p.children[j]
    s = a.store
    new = s[y.start:y.end] + s[x.end:y.start] + s[x.start:x.end]
    store = s[:x.start] + new + s[y.end:]
    return a.with_store(store), f"boxes {box_name(x)} and {box_name(y)} swapped"


def m_move_box(a, rng, corpus):
    """Move an assertion or a whole manifest to another place in the store."""
    b = pick_box(a, rng, lambda b: b.type == b"jumb" and b.parent is not None)
    if b is None:
        return None
    data = a.store[b.start:b.end]
    store = splice(a.store, a.roots, b.start, b.end, b"")
    roots = parse_boxes(store, 0, len(store))
    targets = [t for t in all_boxes(roots) if t.type == b"jumb"]
    if not targets:
        return None
    t = rng.choice(targets)
    store = splice(store, roots, t.end, t.end, data)
    return a.with_store(store), f"box {box_name(b)} moved to the end of {box_name(t)}"


def m_pad(a, rng, corpus):
    pads = find_pads(a.store, a.roots)
    if not pads:
        return None
    at, hl, n, key = rng.choice(pads)
    kind = rng.choices(["shrink-insert", "shrink", "grow", "fill"], [6, 1, 1, 1])[0]
    if kind == "fill":
        s = bytearray(a.store)
        for i in range(at + hl, at + hl + n):
            s[i] = rng.randrange(256)
        return a.with_store(bytes(s)), f"COSE unprotected {key} ({n} bytes) filled with random bytes"
    if kind == "grow":
        k = rng.choice([1, 4, 64, 300])
        new = bstr_head(n + k) + bytes(n + k)
        store = splice(a.store, a.roots, at, at + hl + n, new)
        return a.with_store(store), f"COSE unprotected {key} grown by {k} (lengths fixed)"
    if n == 0:
        return None
    k = min(n, rng.choice([1, 3, 4, 12, 16, 36, 64, 64, 100, 200, n]))
    new = bstr_head(n - k) + bytes(n - k)
    store = splice(a.store, a.roots, at, at + hl + n, new)
    if kind == "shrink":
        return a.with_store(store), f"COSE unprotected {key} shrunk by {k} (lengths fixed, file shorter)"
    freed = len(a.data) - len(a.with_store(store))
    fill, what = filler(a.fmt, freed, rng)
    carrier = a.store_bytes(store)
    if a.fmt == "jpeg" and len(a.store) > 2000 and rng.random() < 0.3:
        # the freed bytes go between two APP11 packets of the store (still inside the old exclusion)
        if len(carrier) - 12 - len(store) == 0:  # one packet: split it in two (20 more bytes of headers)
            cut = rng.randrange(500, len(store) - 500)
            body = store[:8] + store[cut:]
            carrier = b"\xff\xeb" + struct.pack(">H", 10 + cut) + b"JP" + struct.pack(">HI", a.en, 1) + store[:cut] + \
                b"\xff\xeb" + struct.pack(">H", 10 + len(body)) + b"JP" + struct.pack(">HI", a.en, 2) + body
            freed -= 20
        first = 2 + u16(carrier, 2)
        if freed >= 4:
            fill, what = jpeg_filler(freed, rng)
            b0, b1 = a.run
            if len(a.packets) <= 1 or b1 - b0 == sum(x.end - x.start for x in a.packets):
                return a.data[:b0] + carrier[:first] + fill + carrier[first:] + a.data[b1:], \
                    f"COSE unprotected {key} shrunk by {k}; {what} put between the store's APP11 packets", True
    if len(a.packets) <= 1:
        out = a.data[:a.run[0]] + carrier + fill + a.data[a.run[1]:]
    else:
        out = a.with_store(store, extra=fill)
    return out, f"COSE unprotected {key} shrunk by {k}; {freed} freed bytes of the old exclusion hold {what}", True


def m_store_flip(a, rng, corpus):
    s = bytearray(a.store)
    n = rng.choice([1, 1, 2, 8])
    where = []
    for _ in range(n):
        i = rng.randrange(len(s))
        s[i] ^= 1 << rng.randrange(8)
        where.append(i)
    return a.with_store(bytes(s)), f"{n} bit flips in the store at {where} (container consistent)"


def m_store_truncate(a, rng, corpus):
    cut = rng.randrange(8, len(a.store))
    return a.with_store(a.store[:cut]), f"store truncated to {cut} of {len(a.store)} bytes (container consistent)"


def m_store_dup(a, rng, corpus):
    carrier = a.data[a.run[0]:a.run[1]]
    if a.fmt == "jpeg" and rng.random() < 0.4:
        en = rng.choice([a.en + 1, (a.en + 7) & 0xFFFF])
        carrier = app11_packets(a.store, en)
        what = f"copy of the store as another APP11 box (En {en})"
    else:
        what = "copy of the store's bytes"
    pts = a.boundaries()
    at = rng.choice([a.run[0], a.run[1], rng.choice(pts), pts[-1]])
    return a.data[:at] + carrier + a.data[at:], f"{what} inserted at {at} (store at {a.run[0]}..{a.run[1]})"


def m_store_move(a, rng, corpus):
    carrier = a.data[a.run[0]:a.run[1]]
    rest = a.data[:a.run[0]] + a.data[a.run[1]:]
    b2 = Asset(rest, a.fmt)
    pts = b2.boundaries()
    at = rng.choice(pts)
    return rest[:at] + carrier + rest[at:], f"store moved from {a.run[0]} to {at}"


def m_store_transplant(a, rng, corpus):
    donors = [d for d in corpus if d.store is not None and d.store != a.store]
    if not donors:
        return None
    d = rng.choice(donors)
    return a.with_store(d.store), f"store replaced by the store of another seed ({len(d.store)} bytes)"


def m_app11_fields(a, rng, corpus):
    if a.fmt != "jpeg" or not a.packets:
        return None
    s = rng.choice(a.packets)
    b = bytearray(a.data)
    field = rng.choice(["Lp", "Lp", "CI", "En", "Z", "Z", "marker"])
    if field == "Lp":
        old = u16(b, s.start + 2)
        kind = rng.choice(["+1", "-1", "+4", "-4", "0", "2", "max"])
        new = {"+1": old + 1, "-1": old - 1, "+4": old + 4, "-4": old - 4, "0": 0, "2": 2, "max": 0xFFFF}[kind]
        struct.pack_into(">H", b, s.start + 2, new & 0xFFFF)
        return bytes(b), f"APP11 segment length {old}->{new & 0xFFFF} ({kind})"
    if field == "CI":
        b[s.start + 4:s.start + 6] = rng.choice([b"JQ", b"jp", b"\x00\x00"])
        return bytes(b), f"APP11 CI 'JP'->{bytes(b[s.start + 4:s.start + 6])!r}"
    if field == "En":
        old = u16(b, s.start + 6)
        new = rng.choice([0, old + 1, 0xFFFF, old ^ 0x100])
        struct.pack_into(">H", b, s.start + 6, new & 0xFFFF)
        return bytes(b), f"APP11 En {old}->{new & 0xFFFF} on packet at {s.start}"
    if field == "Z":
        old = u32(b, s.start + 8)
        new = rng.choice([0, old + 1, old - 1, 2, 0xFFFFFFFF, 0x10000])
        struct.pack_into(">I", b, s.start + 8, new & 0xFFFFFFFF)
        return bytes(b), f"APP11 Z {old}->{new & 0xFFFFFFFF} on packet at {s.start}"
    new = rng.choice([0xE1, 0xEA, 0xEC, 0xFE])
    b[s.start + 1] = new
    return bytes(b), f"APP11 marker -> 0xFF{new:02X}"


def m_app11_split(a, rng, corpus):
    """Re-packetize the store into several smaller APP11 segments (JPEG-XT continuation packets)."""
    if a.fmt != "jpeg" or not a.packets:
        return None
    size = rng.choice([100, 1000, 4096, max(19, len(a.store) // 2 + 1)])
    out = bytearray(app11_packets(a.store, a.en, room=size))
    zs, pos = [], 0
    while pos < len(out):
        zs.append(u32(out, pos + 8))
        pos += 2 + u16(out, pos + 2)
    extra = ""
    if rng.random() < 0.3 and len(zs) > 2:
        extra = " (Z of packets 2 and 3 swapped)"
        p2 = 2 + u16(out, 2)
        p3 = p2 + 2 + u16(out, p2 + 2)
        struct.pack_into(">I", out, p2 + 8, 3)
        struct.pack_into(">I", out, p3 + 8, 2)
    return a.data[:a.run[0]] + bytes(out) + a.data[a.run[1]:], f"store split into {len(zs)} APP11 packets{extra}"


def m_png_chunk(a, rng, corpus):
    if a.fmt != "png" or not a.chunks:
        return None
    idx = a.store_chunk if a.store_chunk is not None and rng.random() < 0.6 else rng.randrange(len(a.chunks))
    t, st, ds, de, en = a.chunks[idx]
    b = bytearray(a.data)
    field = rng.choice(["length", "length", "type", "crc"])
    if field == "length":
        old = de - ds
        kind = rng.choice(["+1", "-1", "+4", "-4", "0", "huge"])
        new = {"+1": old + 1, "-1": old - 1, "+4": old + 4, "-4": old - 4, "0": 0, "huge": 0x7FFFFFFF}[kind]
        new &= 0xFFFFFFFF
        struct.pack_into(">I", b, st, new)
        fix = rng.random() < 0.5
        if fix and ds + new + 4 <= len(b):
            crc = binascii.crc32(bytes(b[st + 4:ds + new])) & 0xFFFFFFFF
            struct.pack_into(">I", b, ds + new, crc)
        return bytes(b), f"PNG {t.decode('latin1')} length {old}->{new} ({kind}, CRC {'recomputed' if fix else 'kept'})"
    if field == "type":
        new = rng.choice([b"cabx", b"caBx", b"CABX", b"tEXt", b"caBY", b"IDAT"])
        b[st + 4:st + 8] = new
        fix = rng.random() < 0.7
        if fix:
            struct.pack_into(">I", b, de, binascii.crc32(bytes(b[st + 4:de])) & 0xFFFFFFFF)
        return bytes(b), f"PNG chunk type {t.decode('latin1')}->{new.decode()} (CRC {'recomputed' if fix else 'kept'})"
    b[de] ^= 0x01
    return bytes(b), f"PNG {t.decode('latin1')} CRC broken"


def m_insert_between(a, rng, corpus):
    pts = a.boundaries()
    at = rng.choice(pts + ([a.run[0], a.run[1]] if a.run else []))
    kind = rng.choice(["junk", "segment", "ff"])
    if kind == "ff" and a.fmt == "jpeg":
        ins, what = b"\xff" * rng.choice([1, 2, 7]), "0xFF fill bytes"
    elif kind == "segment":
        ins, what = filler(a.fmt, rng.choice([16, 36, 40, 64]), rng)
    else:
        ins, what = bytes(rng.randrange(256) for _ in range(rng.choice([1, 2, 4, 13]))), "random bytes"
    return a.data[:at] + ins + a.data[at:], f"{len(ins)} bytes ({what}) inserted at {at}"


def m_truncate(a, rng, corpus):
    pts = a.boundaries()
    cut = rng.choice([rng.randrange(1, len(a.data)), rng.choice(pts), len(a.data) - 1, len(a.data) - 2,
                      a.run[1] if a.run else len(a.data) // 2])
    return a.data[:cut], f"file truncated at {cut} of {len(a.data)}"


def m_append(a, rng, corpus):
    extra = rng.choice([b"\x00", b"junk", a.data[a.run[0]:a.run[1]] if a.run else b"x" * 10])
    return a.data + extra, f"{len(extra)} bytes appended after the end"


def m_pixel(a, rng, corpus):
    r = a.pixel_range()
    if not r:
        return None
    b = bytearray(a.data)
    i = rng.randrange(r[0], r[1])
    if a.fmt == "jpeg":
        while b[i] == 0xFF or (i > 0 and b[i - 1] == 0xFF):
            i = rng.randrange(r[0], r[1])
    b[i] ^= 1 << rng.randrange(8)
    if a.fmt == "png":
        for t, st, ds, de, en in a.chunks:
            if ds <= i < de:
                struct.pack_into(">I", b, de, binascii.crc32(bytes(b[st + 4:de])) & 0xFFFFFFFF)
    return bytes(b), f"one bit of pixel data flipped at {i}"


def m_marker(a, rng, corpus):
    if a.fmt != "jpeg":
        return None
    segs = [s for s in a.segs if s.end - s.start >= 4 and s.marker != 0xDA]
    if not segs:
        return None
    s = rng.choice(segs)
    b = bytearray(a.data)
    new = rng.choice([0xEB, 0xE1, 0xEC, 0xFE, 0xDB, 0x00])
    b[s.start + 1] = new
    return bytes(b), f"segment marker 0xFF{s.marker:02X}->0xFF{new:02X} at {s.start}"


def m_flip(a, rng, corpus):
    b = bytearray(a.data)
    n = rng.choice([1, 1, 2, 4, 16])
    where = []
    for _ in range(n):
        i = rng.randrange(len(b))
        if rng.random() < 0.7:
            b[i] ^= 1 << rng.randrange(8)
        else:
            b[i] = rng.choice([0, 0xFF, rng.randrange(256)])
        where.append(i)
    return bytes(b), f"{n} random byte mutations at {where}"


MUTATIONS = [  # (name, function, weight, needs a store)
    ("desc-uuid", m_desc_uuid, 6, True),
    ("desc-uuid-tail", m_desc_uuid_tail, 1, True),
    ("desc-toggles", m_desc_toggles, 3, True),
    ("desc-label", m_desc_label, 5, True),
    ("box-type", m_box_type, 3, True),
    ("box-length", m_box_length, 4, True),
    ("box-grow", m_box_grow, 2, True),
    ("box-remove", m_box_remove, 3, True),
    ("box-duplicate", m_box_duplicate, 3, True),
    ("box-swap", m_box_swap, 2, True),
    ("box-move", m_move_box, 2, True),
    ("pad", m_pad, 6, True),
    ("store-flip", m_store_flip, 3, True),
    ("store-truncate", m_store_truncate, 1, True),
    ("store-duplicate", m_store_dup, 2, True),
    ("store-move", m_store_move, 1, True),
    ("store-transplant", m_store_transplant, 1, True),
    ("app11-fields", m_app11_fields, 3, True),
    ("app11-split", m_app11_split, 1, True),
    ("png-chunk", m_png_chunk, 3, False),
    ("insert-between", m_insert_between, 2, False),
    ("truncate", m_truncate, 1, False),
    ("append", m_append, 1, False),
    ("pixel", m_pixel, 3, False),
    ("marker", m_marker, 1, False),
    ("flip", m_flip, 4, False),
]


def make_mutant(corpus, seed, index):
    """Mutant number `index`: deterministic for a given corpus and --seed."""
    rng = random.Random(f"{seed}:{index}")
    base = rng.randrange(len(corpus))
    a = corpus[base]
    data = a.data
    steps, kinds, forged = [], [], []
    n = rng.choices([1, 2, 3], [60, 30, 10])[0]
    for _ in range(n):
        cur = Asset(data, a.fmt) if data is not a.data else a
        usable = [(nm, f, w) for nm, f, w, st in MUTATIONS if cur.store is not None or not st]
        for _attempt in range(8):
            nm, f, _ = rng.choices(usable, [w for _, _, w in usable])[0]
            try:
                r = f(cur, rng, corpus)
            except (ValueError, IndexError, struct.error, TypeError):
                r = None
            if r is not None:
                data, desc = r[0], r[1]
                steps.append(f"{nm}: {desc}")
                kinds.append(nm)
                forged.append(len(r) > 2 and r[2])
                break
    # a single mutation that is a keyless forgery by construction (content changed where no hash looks)
    return base, data, kinds, steps, forged == [True]


# ---------------------------------------------------------------------------------------------------------------
# Seed corpus

def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r


def make_image(path, w, h, rng, fmt):
    from PIL import Image
    img = Image.new("RGB", (w, h))
    px = img.load()
    ox, oy = rng.randrange(256), rng.randrange(256)
    for y in range(h):
        for x in range(w):
            px[x, y] = ((x * 255 // w + ox) % 256, (y * 255 // h + oy) % 256, (x ^ y) * 7 % 256 ^ rng.randrange(32))
    if fmt == "jpeg":
        img.save(path, "JPEG", quality=88)
    else:
        img.save(path, "PNG")


def build_corpus(signet, workdir, seed):
    rng = random.Random(f"corpus:{seed}")
    raw = os.path.join(workdir, "raw")
    os.makedirs(raw, exist_ok=True)
    specs = []

    def img(name, w, h, fmt):
        p = os.path.join(raw, name)
        make_image(p, w, h, rng, fmt)
        return p

    def ssign(src, out, alg, *extra):
        dst = os.path.join(workdir, out)
        run([signet, "sign", src, "-o", dst, "--key", os.path.join(KEYS, f"{alg}.key"),
             "--cert", os.path.join(KEYS, f"{alg}.pem"), "--force", *extra])
        specs.append((out, f"signet {alg} {' '.join(os.path.basename(x) for x in extra)}".strip()))
        return dst

    def osign(src, out, alg, *extra):
        dst = os.path.join(workdir, out)
        run([sys.executable, ORACLE, "sign", src, dst, "--alg", alg, "--cert", os.path.join(KEYS, f"{alg}.pem"),
             "--key", os.path.join(KEYS, f"{alg}.key"), *extra])
        specs.append((out, f"c2pa-rs {alg} {' '.join(os.path.basename(x) for x in extra)}".strip()))
        return dst

    j1, j2, j3 = img("a.jpg", 96, 64, "jpeg"), img("b.jpg", 160, 120, "jpeg"), img("c.jpg", 320, 240, "jpeg")
    p1, p2 = img("a.png", 64, 48, "png"), img("b.png", 120, 90, "png")
    parent = ssign(j1, "signet-es256.jpg", "es256")
    ssign(p1, "signet-ps256.png", "ps256")
    ssign(j2, "signet-ed25519.jpg", "ed25519")
    ssign(p2, "signet-es384.png", "es384")
    ssign(j2, "signet-es512-nothumb.jpg", "es512", "--no-thumbnail")
    ssign(j3, "signet-chain-es256.jpg", "es256", "--parent", parent, "--action", "cropped")
    rsparent = osign(j2, "c2pa-rs-es256.jpg", "es256")
    osign(p2, "c2pa-rs-ps256.png", "ps256")
    osign(j3, "c2pa-rs-chain-ed25519.jpg", "ed25519", "--parent", parent)
    ssign(p1, "signet-chain-over-c2pa-rs.png", "ps256", "--parent", rsparent, "--action", "edited")
    return specs


# ---------------------------------------------------------------------------------------------------------------
# The two verdicts

def oracle_context():
    return oracle.settings(ANCHORS)


def oracle_read(ctx, path):
    try:
        with c2pa.Reader(path, context=ctx) as r:
            report = json.loads(r.json())
    except Exception as e:  # noqa: BLE001  (c2pa-rs refuses: no manifest, unreadable, unsupported)
        return {"state": "error", "error": f"{type(e).__name__}: {str(e)[:300]}"}
    active = report.get("validation_results", {}).get("activeManifest", {})
    return {"state": report.get("validation_state") or "error",
            "failure": [s.get("code") for s in active.get("failure", [])]}


def signet_verify(signet, files, timeout):
    """{path: verdict} for files; verdict has state, exit, codes; or None for the batch if it timed out."""
    cmd = [signet, "verify", *files, "--json", "--trust-anchors", ANCHORS, "--jobs", "1"]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout", b""
    out = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        f = j.get("file")
        if f is None:
            continue
        state = j.get("validation_state")
        err = j.get("error")
        if state is None or (err and err.get("code") not in ("manifest.missing", "manifest.unreadable")):
            state = "error"
        active = (j.get("validation_results") or {}).get("activeManifest") or {}
        out[f] = {"state": state, "failure": [s.get("code") for s in active.get("failure", [])],
                  "error": err}
    return out, r.returncode, r.stderr[-2000:]


def classify(sv, ov):
    s, o = sv["state"], ov["state"]
    if s in ("Valid", "Trusted") and o in ("Invalid", "error"):
        return "accept"
    if s == "Trusted" and o == "Valid":
        return "accept"
    if s in ("Invalid", "error") and o in ("Valid", "Trusted"):
        return "refuse"
    if s == "Valid" and o == "Trusted":
        return "refuse"
    return "agree"


# ---------------------------------------------------------------------------------------------------------------
# Workers

def worker(wid, cfg, counter, heartbeat, current, results):
    corpus = [Asset(open(p, "rb").read(), detect(open(p, "rb").read())) for p in cfg["seeds"]]
    ctx = oracle_context()
    tmp = os.path.join(cfg["work"], f"w{wid}")
    os.makedirs(tmp, exist_ok=True)
    try:
        while time.time() < cfg["deadline"]:
            with counter.get_lock():
                first = counter.value
                counter.value += cfg["batch"]
            batch = []
            for idx in range(first, first + cfg["batch"]):
                base, data, kinds, steps, forgery = make_mutant(corpus, cfg["seed"], idx)
                ext = ".png" if corpus[base].fmt == "png" else ".jpg"
                path = os.path.join(tmp, f"m{idx}{ext}")
                with open(path, "wb") as f:
                    f.write(data)
                batch.append({"index": idx, "path": path, "seed_file": cfg["seed_names"][base], "kinds": kinds,
                              "steps": steps, "size": len(data), "forgery": forgery})
            timeout = HANG_SECONDS + 3 * len(batch)
            heartbeat.value = time.time() + timeout   # the parent restarts a worker that is late past this
            verdicts, status, stderr = signet_verify(cfg["signet"], [m["path"] for m in batch], timeout)
            single = verdicts is None or status not in (0, 1, 2) or any(m["path"] not in verdicts for m in batch)
            for m in batch:
                if single:
                    heartbeat.value = time.time() + HANG_SECONDS
                    v1, st1, err1 = signet_verify(cfg["signet"], [m["path"]], HANG_SECONDS)
                    if v1 is None:
                        m["signet"] = {"state": "hang", "exit": None}
                    elif m["path"] not in v1:
                        m["signet"] = {"state": "noout" if st1 in (0, 1, 2) else "crash", "exit": st1,
                                       "stderr": err1.decode("utf-8", "replace")[-500:]}
                    else:
                        m["signet"] = dict(v1[m["path"]], exit=st1)
                        if st1 not in (0, 1, 2):
                            m["signet"]["stderr"] = err1.decode("utf-8", "replace")[-500:]
                else:
                    m["signet"] = dict(verdicts[m["path"]], exit=None)
                heartbeat.value = time.time()
                current.value = m["index"]
                m["oracle"] = oracle_read(ctx, m["path"])
                heartbeat.value = time.time()
                sv, st = m["signet"], m["signet"].get("exit")
                if sv["state"] in ("hang", "noout", "crash"):
                    m["category"] = sv["state"]
                elif st is not None and st < 0:
                    m["category"] = "crash"
                elif st is not None and st not in (0, 1, 2):
                    m["category"] = "badexit"
                else:
                    m["category"] = classify(sv, m["oracle"])
                    if m["category"] == "agree" and m["forgery"] and sv["state"] in ("Valid", "Trusted"):
                        m["category"] = "forgery"  # both accept a keyless forgery: c2pa-rs is fooled too
                if m["category"] != "agree":
                    with open(m["path"], "rb") as f:
                        m["bytes"] = f.read()
                os.unlink(m["path"])
            results.put(("batch", wid, batch))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        results.put(("done", wid, None))


# ---------------------------------------------------------------------------------------------------------------
# Main

def shape(text):
    """A step or verdict with offsets, sizes and manifest UUIDs blanked, so that alike findings group together."""
    text = re.sub(r"(?i)urn:c2pa:[0-9a-f-]{36}", "urn:c2pa:*", text)
    text = re.sub(r"\[[0-9, ]+\]", "[*]", text)
    return re.sub(r"(?<![0-9a-fA-Fx])\d{3,}", "N", text)


def verdicts(e):
    sv, ov = e.get("signet") or {}, e.get("oracle") or {}
    theirs = ov.get("error") or ",".join(sorted(set(ov.get("failure") or [])))
    mine = (sv.get("error") or {}).get("code") or ",".join(sorted(set(sv.get("failure") or [])))
    return shape(f"signet {sv.get('state')} {mine}; "
                 f"c2pa-rs {ov.get('state')} {theirs[:120]}")


def fold(by_class, cat):
    """Group a category's mutants by the mutation kind that produces it alone, if one does (stacked mutants that
    include such a kind are counted with it), else by their exact combination of kinds."""
    classes = {k[1]: v for k, v in by_class.items() if k[0] == cat}
    alone = {k: len(v) for k, v in classes.items() if "+" not in k}
    groups = collections.defaultdict(list)
    for kinds, entries in classes.items():
        culprits = [k for k in kinds.split("+") if k in alone]
        groups[max(culprits, key=lambda k: alone[k]) if culprits else kinds].extend(entries)
    out = []
    for name, entries in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        shapes = collections.Counter()
        example = {}
        for e in entries:
            steps = [st for st, k in zip(e["steps"], e["kinds"]) if k == name] or e["steps"]
            key = (shape(" | ".join(steps)), verdicts(e))
            shapes[key] += 1
            example.setdefault(key, e["index"])
        out.append({"mutation": name, "count": len(entries), "alone": alone.get(name, 0),
                    "shapes": [{"step": k[0], "verdicts": k[1], "count": n, "example": example[k]}
                               for k, n in shapes.most_common(12)]})
    return out


def find_signet(arg):
    for p in [arg, os.environ.get("SIGNET_BIN"), os.path.join(ROOT, ".build", "release", "signet"),
              os.path.join(ROOT, ".build", "debug", "signet")]:
        if p and os.access(p, os.X_OK):
            return os.path.abspath(p)
    sys.exit("no signet binary: pass --signet PATH or set SIGNET_BIN (swift build --product signet)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--signet", help="signet binary (default $SIGNET_BIN, else .build/release, else .build/debug)")
    ap.add_argument("--out", default=os.path.join(ROOT, "test-artifacts", "fuzz"))
    ap.add_argument("--workers", type=int, default=2, help="processes (at most 2)")
    ap.add_argument("--batch", type=int, default=24, help="files per signet invocation")
    ap.add_argument("--keep", type=int, default=4, help="mutants kept per (category, mutation kinds)")
    ap.add_argument("--corpus", help="reuse the seed files in this folder (OUT/seeds of an earlier run)")
    ap.add_argument("--replay", type=int, help="write mutant N (with --corpus and the same --seed) and verify it")
    args = ap.parse_args()
    args.workers = max(1, min(2, args.workers))
    work = tempfile.mkdtemp(prefix="signet-fuzz-")
    atexit.register(shutil.rmtree, work, True)
    # Test one binary throughout, even if a build replaces it meanwhile: a copy (with its resource bundles).
    origin = find_signet(args.signet)
    signet = os.path.join(work, "signet")
    shutil.copy2(origin, signet)
    for n in os.listdir(os.path.dirname(origin)):
        if n.endswith(".resources"):
            os.symlink(os.path.join(os.path.dirname(origin), n), os.path.join(work, n))
    with open(signet, "rb") as f:
        binary_sha = hashlib.sha256(f.read()).hexdigest()[:16]
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    for n in os.listdir(out):  # findings of an earlier run
        if re.match(r"^((accept|refuse|forgery|crash|badexit|hang|noout|oracle-hang)-\d+\.(jpg|png|json)"
                    r"|summary\.json)$", n):
            os.unlink(os.path.join(out, n))
    seeds_dir = os.path.join(out, "seeds")
    if args.corpus:
        listed = os.path.join(args.corpus, "corpus.json")  # the mutation bases of that run, in order
        names = json.load(open(listed)) if os.path.exists(listed) else \
            sorted(n for n in os.listdir(args.corpus) if n.endswith((".jpg", ".png")))
        seed_paths = [os.path.join(os.path.abspath(args.corpus), n) for n in names]
        specs = [(n, "reused") for n in names]
    else:
        shutil.rmtree(seeds_dir, ignore_errors=True)
        os.makedirs(seeds_dir)
        specs = build_corpus(signet, seeds_dir, args.seed)
        seed_paths = [os.path.join(seeds_dir, n) for n, _ in specs]

    if args.replay is not None:
        corpus = [Asset(open(p, "rb").read(), detect(open(p, "rb").read())) for p in seed_paths]
        base, data, kinds, steps, forgery = make_mutant(corpus, args.seed, args.replay)
        path = os.path.join(out, f"replay-{args.replay}" + (".png" if corpus[base].fmt == "png" else ".jpg"))
        with open(path, "wb") as f:
            f.write(data)
        v, st, _ = signet_verify(signet, [path], HANG_SECONDS)
        print(json.dumps({"file": path, "seed_file": os.path.basename(seed_paths[base]), "steps": steps,
                          "signet": (v or {}).get(path), "signet_exit": st,
                          "c2pa_rs": oracle_read(oracle_context(), path)}, indent=1))
        shutil.rmtree(work, ignore_errors=True)
        return 0

    # Baseline: every seed as both validators see it. Seeds they disagree on are findings, not mutation bases.
    ctx = oracle_context()
    base_v, base_st, _ = signet_verify(signet, seed_paths, 120)
    usable, names, seed_findings = [], [], []
    print(f"signet: {origin} (sha256 {binary_sha}..., tested as a copy)")
    print(f"seed corpus ({len(seed_paths)} files, {'reused' if args.corpus else 'generated'}):")
    for (name, how), p in zip(specs, seed_paths):
        a = Asset(open(p, "rb").read(), detect(open(p, "rb").read()))
        sv = (base_v or {}).get(p, {"state": "noout"})
        ov = oracle_read(ctx, p)
        cat = classify(sv, ov) if sv["state"] in ("Trusted", "Valid", "Invalid", "error") else sv["state"]
        packets = len(a.packets) if a.fmt == "jpeg" else 1
        pads = find_pads(a.store, a.roots) if a.store else []
        print(f"  {name:34} {how:44} store {len(a.store or b''):6} B, {len(manifests(a.roots))} manifest(s), "
              f"{packets} packet(s), pad {[p_[2] for p_ in pads]}: signet {sv['state']}, c2pa-rs {ov['state']}"
              + ("" if cat == "agree" else f"  <- {cat.upper()} {ov.get('error') or ov.get('failure')}"))
        if cat == "agree" and a.store is not None:
            usable.append(p)
            names.append(name)
        else:
            seed_findings.append({"seed": name, "signet": sv, "c2pa_rs": ov, "category": cat})
    if not usable:
        sys.exit("no seed is agreed on by both validators: nothing to mutate")
    if not args.corpus:
        with open(os.path.join(seeds_dir, "corpus.json"), "w") as f:
            json.dump(names, f)

    cfg = {"seeds": usable, "seed_names": names, "signet": signet, "seed": args.seed, "batch": args.batch,
           "deadline": time.time() + args.seconds, "work": work}
    corpus = [Asset(open(p, "rb").read(), detect(open(p, "rb").read())) for p in usable]
    mpc = mp.get_context("spawn")
    counter = mpc.Value("q", 0)
    results = mpc.Queue()
    procs = {}

    def start(wid):
        hb, cur = mpc.Value("d", time.time()), mpc.Value("q", -1)
        p = mpc.Process(target=worker, args=(wid, cfg, counter, hb, cur, results), daemon=True)
        p.start()
        procs[wid] = (p, hb, cur)

    t0 = time.time()
    for w in range(args.workers):
        start(w)
    counts = collections.Counter()
    by_class = collections.defaultdict(list)   # (category, kinds) -> [mutant summaries]
    kept = collections.Counter()
    executions, done, next_wid = 0, set(), args.workers
    last_print = t0
    dead_since = {}

    def record(m):
        key = (m["category"], "+".join(sorted(set(m["kinds"]))) or "none")
        entry = {k: m.get(k) for k in ("index", "seed_file", "kinds", "steps", "signet", "oracle", "category",
                                       "forgery")}
        by_class[key].append(entry)
        if kept[key] < args.keep or m["category"] in ("crash", "badexit", "hang", "noout"):
            kept[key] += 1
            ext = os.path.splitext(m["path"])[1]
            stem = os.path.join(out, f"{m['category']}-{m['index']:07d}")
            if m.get("bytes") is not None:
                with open(stem + ext, "wb") as f:
                    f.write(m["bytes"])
            with open(stem + ".json", "w") as f:
                json.dump(dict(entry, file=os.path.basename(stem + ext), fuzz_seed=args.seed), f, indent=1)

    while len(done) < len(procs):
        try:
            kind, wid, batch = results.get(timeout=5)
        except Exception:  # noqa: BLE001  (queue.Empty)
            kind = None
        if kind == "batch":
            for m in batch:
                executions += 1
                counts[m["category"]] += 1
                if m["category"] != "agree":
                    record(m)
        elif kind == "done":
            done.add(wid)
        now = time.time()
        for wid, (p, hb, cur) in list(procs.items()):
            if wid in done:
                continue
            if not p.is_alive():
                dead_since.setdefault(wid, now)  # its "done" message may still be on its way
            if now - dead_since.get(wid, now) > 10 or now - hb.value > 3 * HANG_SECONDS:
                # c2pa-rs (in-process) hung or the worker died: record it and carry on with a fresh worker.
                p.kill()
                p.join()
                done.add(wid)
                counts["oracle-hang"] += 1
                print(f"  worker {wid} stuck or died on mutant {cur.value}; restarting", flush=True)
                if cur.value >= 0:
                    base, data, kinds, steps, forgery = make_mutant(corpus, args.seed, cur.value)
                    record({"index": cur.value, "category": "oracle-hang", "kinds": kinds, "steps": steps,
                            "seed_file": names[base], "signet": None, "oracle": None, "bytes": data,
                            "path": "x" + (".png" if corpus[base].fmt == "png" else ".jpg")})
                if now < cfg["deadline"]:
                    start(next_wid)
                    next_wid += 1
        if now - last_print > 60:
            last_print = now
            print(f"  {now - t0:5.0f} s  {executions} executions  " +
                  "  ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)
    elapsed = time.time() - t0
    shutil.rmtree(work, ignore_errors=True)

    groups = {cat: fold(by_class, cat) for cat in ("accept", "refuse", "forgery")}
    summary = {"signet": origin, "signet_sha256_16": binary_sha, "seed": args.seed, "seconds": round(elapsed, 1),
               "executions": executions,
               "executions_per_second": round(executions / elapsed, 2) if elapsed else 0,
               "categories": dict(counts), "seed_findings": seed_findings,
               "accepting": groups["accept"], "refusing": groups["refuse"],
               "forgeries_both_accept": groups["forgery"],
               "accepting_by_exact_mutation_kinds": {k[1]: len(v) for k, v in by_class.items() if k[0] == "accept"},
               "failures": {k[0] + ":" + k[1]: [e["steps"] for e in v[:3]] for k, v in by_class.items()
                            if k[0] in ("crash", "badexit", "hang", "noout", "oracle-hang")}}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)

    print(f"\n{executions} executions in {elapsed:.0f} s ({summary['executions_per_second']}/s), "
          f"{args.workers} workers, seed {args.seed}")
    print("by category: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if seed_findings:
        print(f"seeds the validators disagree on: {[s['seed'] for s in seed_findings]}")
    for cat, title in (("accept", "ACCEPTING disagreements (Signet accepts, c2pa-rs does not)"),
                       ("forgery", "FORGERIES both accept (content changed inside the exclusion; c2pa-rs fooled too)"),
                       ("refuse", "refusing disagreements (Signet refuses, c2pa-rs accepts)")):
        if not groups[cat]:
            continue
        print(f"{title}, by the mutation that causes them (alone / stacked with others):")
        for g in groups[cat]:
            print(f"  {g['count']:6}  {g['mutation']}  ({g['alone']} alone)")
            for sh in g["shapes"][:4]:
                print(f"          {sh['count']:5} x {sh['step']}\n"
                      f"                  -> {sh['verdicts']}  (e.g. #{sh['example']})")
    for cat in ("crash", "badexit", "hang", "noout", "oracle-hang"):
        for (c, kinds), v in by_class.items():
            if c == cat:
                print(f"{cat.upper()}: {len(v)} x {kinds}, e.g. #{v[0]['index']}: {' | '.join(v[0]['steps'])}")
    print(f"mutants and notes: {out}")
    bad = sum(counts[c] for c in ("accept", "forgery", "crash", "badexit", "hang", "noout")) + \
        sum(1 for s in seed_findings if s["category"] in ("accept", "crash", "badexit", "hang", "noout"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
