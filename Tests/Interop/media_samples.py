#!/usr/bin/env python3
"""Makes tiny media samples (each under 200 KB and 1 s) for the media interop tests.

  media_samples.py OUTDIR [NAME...]   -> writes the samples into OUTDIR and prints one JSON line:
                                         {"samples": {NAME: PATH}, "missing": {NAME: WHY}}

Without NAMEs every sample is made. A sample whose tool is missing (ffmpeg, lame, flac, Pillow) is listed under
"missing" instead of failing the run, so the tests can skip just that format.

  wav            PCM WAV (Python's wave module), mono 16-bit 8 kHz, 0.25 s
  webp           lossy WebP 32x24 (Pillow, else ffmpeg's libwebp)
  avi            MJPEG AVI 32x24, 4 frames (ffmpeg)
  mp3            MP3 without a tag (lame, else ffmpeg)
  mp3-id3        MP3 with an ID3v2.3 tag (TIT2, TPE1) and padding (ffmpeg)
  flac           FLAC (flac, else ffmpeg)
  mp4-faststart  H.264 MP4, moov before mdat (-movflags +faststart)
  mp4-moovlast   H.264 MP4, moov after mdat (ffmpeg's default)
  mp4-av         H.264 + AAC MP4, two tracks, faststart
  mp4-frag       fragmented MP4 (-movflags frag_keyframe+empty_moov), several moof/mdat pairs
  m4a            AAC in an M4A (brand 'M4A ')
  mov            H.264 QuickTime movie (brand 'qt  ')
  avif           AVIF still image 32x24 (Pillow with AVIF support): a top-level meta with iloc offsets into mdat
  gif87a         GIF87a still image 40x30, 16-colour global table, no extensions (Pillow)
  gif89a         GIF89a animation 40x30, 3 frames with graphic control extensions, a NETSCAPE2.0 loop block, a
                 comment, local colour tables on later frames (Pillow)
  tiff           TIFF 48x32 RGB, LZW, one page, little-endian (Pillow)
  tiff-multi     TIFF, three pages of 40x30 RGB, little-endian (Pillow)
  bigtiff        BigTIFF 48x32 RGB, uncompressed (Pillow, big_tiff=True)
  tiff-be        TIFF 24x16 RGB, big-endian ("MM"), uncompressed (written here with struct: Pillow writes "II")
  jxl            JPEG XL 48x32 in the box container (cjxl --container=1, from a PNG made here)
  jxl-bare       JPEG XL 48x32 bare codestream (cjxl): c2pa-rs 0.91.3 refuses it; Signet wraps it in a container
  svg            SVG 40x30 with an XML declaration, shapes and a <title>, no metadata (written here)
  svg-metadata   SVG with a DOCTYPE (external only), a comment and an existing <metadata> child (written here)
  dng            DNG 1.4 as a camera lays it out (written here with struct): IFD0 a 16x12 RGB preview with Make,
                 Model and DNGVersion, a SubIFD with the 32x24 16-bit Bayer CFA raw data (RGGB)
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import wave

RATE = 8000


def write_wav(path, seconds=0.25, freq=440.0):
    frames = int(RATE * seconds)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / RATE))) for i in range(frames)))


def run(args):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {r.stderr.decode(errors='replace')[-500:]}")


FFMPEG = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-nostdin"]
# Tiny test video: 32x24, 10 fps, 0.4 s (4 frames), a keyframe every 2 frames (so a fragmented file has 2 fragments).
VIDEO_IN = ["-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=0.4"]
AUDIO_IN = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.4"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "2", "-bf", "0"]
# Deterministic output (no encoder strings with versions would not matter, but no creation time keeps reruns equal).
BITEXACT = ["-fflags", "+bitexact", "-map_metadata", "-1"]


def need(tool):
    if shutil.which(tool) is None:
        raise LookupError(f"{tool} is not installed")


def make_webp(path):
    try:
        from PIL import Image
    except ImportError:
        need("ffmpeg")
        run(FFMPEG + ["-f", "lavfi", "-i", "testsrc=size=32x24:rate=1:duration=1", "-frames:v", "1", "-c:v", "libwebp", path])
        return
    img = Image.new("RGB", (32, 24))
    img.putdata([((x * 8) % 256, (y * 10) % 256, ((x + y) * 5) % 256) for y in range(24) for x in range(32)])
    img.save(path, "WEBP", quality=80)


def make_avif(path):
    try:
        from PIL import Image, features
    except ImportError:
        raise LookupError("Pillow is not installed")
    if not features.check("avif"):
        raise LookupError("Pillow has no AVIF support")
    img = Image.new("RGB", (32, 24))
    img.putdata([((x * 8) % 256, (y * 10) % 256, 128) for y in range(24) for x in range(32)])
    img.save(path, "AVIF", quality=60)


def gif_frame(seed, colours):
    from PIL import Image
    img = Image.new("RGB", (40, 30))
    img.putdata([(((x + seed) * 6) % 256, ((y * 3 + seed) * 8) % 256, ((x * y + seed * 7) * 3) % 256) for y in range(30) for x in range(40)])
    return img.quantize(colors=colours)


def make_gif87a(path):
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise LookupError("Pillow is not installed")
    gif_frame(1, 16).save(path, "GIF")
    with open(path, "rb") as f:
        if f.read(6) != b"GIF87a":
            raise RuntimeError("Pillow did not write a GIF87a")


def make_gif89a(path):
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise LookupError("Pillow is not installed")
    frames = [gif_frame(i, 32) for i in range(3)]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"signet test",
                   optimize=False)
    with open(path, "rb") as f:
        if f.read(6) != b"GIF89a":
            raise RuntimeError("Pillow did not write a GIF89a")


def write_tiff(path, order, ifds):
    """A classic TIFF from IFDs given as ([(tag, type, values)], [strip bytes]); StripOffsets (273) and
    StripByteCounts (279) are filled in, SubIFDs (330) may hold the index of another IFD in `ifds` (written as its
    offset). Entries are sorted by tag; values that do not fit in 4 bytes follow each IFD."""
    fmt = {1: "B", 2: "s", 3: "H", 4: "I", 5: "II", 7: "B"}
    size = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}
    out = bytearray(b"II*\x00" if order == "<" else b"MM\x00*") + b"\x00\x00\x00\x00"
    strips = []
    for _, data in ifds:
        strips.append(len(out))
        out += data
        if len(out) % 2:
            out += b"\x00"
    # Lay out each IFD (table, then its long values) once to learn the offsets, then write.
    offsets = []
    pos = len(out)
    for entries, _ in ifds:
        offsets.append(pos)
        n = len(entries) + 2
        pos += 2 + 12 * n + 4
        for tag, typ, values in entries:
            count = len(values) if typ != 2 else len(values)
            length = size[typ] * count
            if length > 4:
                pos += length + length % 2
    for i, (entries, data) in enumerate(ifds):
        entries = sorted(entries + [(273, 4, [strips[i]]), (279, 4, [len(data)])])
        base = offsets[i]
        assert len(out) == base
        table = bytearray(struct.pack(order + "H", len(entries)))
        extra = bytearray()
        extra_at = base + 2 + 12 * len(entries) + 4
        for tag, typ, values in entries:
            if tag == 330:
                values = [offsets[v] for v in values]
            if typ == 2:
                raw = values
                count = len(values)
            elif typ == 5:
                raw = b"".join(struct.pack(order + "II", *v) for v in values)
                count = len(values)
            else:
                raw = b"".join(struct.pack(order + fmt[typ], v) for v in values)
                count = len(values)
            if len(raw) <= 4:
                field = raw + b"\x00" * (4 - len(raw))
            else:
                field = struct.pack(order + "I", extra_at + len(extra))
                extra += raw + (b"\x00" if len(raw) % 2 else b"")
            table += struct.pack(order + "HHI", tag, typ, count) + field
        table += struct.pack(order + "I", 0)
        out += table + extra
    struct.pack_into(order + "I", out, 4, offsets[0])
    with open(path, "wb") as f:
        f.write(out)


def make_tiff_be(path):
    w, h = 24, 16
    pixels = bytes(((x * 10) % 256 if c == 0 else (y * 15) % 256 if c == 1 else ((x + y) * 7) % 256)
                   for y in range(h) for x in range(w) for c in range(3))
    ifd = [(256, 3, [w]), (257, 3, [h]), (258, 3, [8, 8, 8]), (259, 3, [1]), (262, 3, [2]), (277, 3, [3]), (278, 3, [h]),
           (284, 3, [1])]
    write_tiff(path, ">", [(ifd, pixels)])


def make_dng(path):
    pw, ph = 16, 12
    preview = bytes(((x * 16) % 256, (y * 20) % 256, 90)[c] for y in range(ph) for x in range(pw) for c in range(3))
    rw, rh = 32, 24
    raw = b"".join(struct.pack("<H", (x * 997 + y * 433 + (x % 2) * 1000 + (y % 2) * 2000) % 4096) for y in range(rh) for x in range(rw))
    ifd0 = [(254, 4, [1]), (256, 3, [pw]), (257, 3, [ph]), (258, 3, [8, 8, 8]), (259, 3, [1]), (262, 3, [2]),
            (271, 2, b"Signet\x00"), (272, 2, b"Test Camera\x00"), (277, 3, [3]), (278, 3, [ph]), (284, 3, [1]),
            (330, 4, [1]), (50706, 1, [1, 4, 0, 0]), (50707, 1, [1, 1, 0, 0]), (50708, 2, b"Signet Test Camera\x00")]
    raw_ifd = [(254, 4, [0]), (256, 3, [rw]), (257, 3, [rh]), (258, 3, [16]), (259, 3, [1]), (262, 3, [32803]),
               (277, 3, [1]), (278, 3, [rh]), (284, 3, [1]), (33421, 3, [2, 2]), (33422, 1, [0, 1, 1, 2]),
               (50717, 4, [4095])]
    write_tiff(path, "<", [(ifd0, preview), (raw_ifd, raw)])


def make_jxl(container):
    def make(path, tmp):
        need("cjxl")
        try:
            from PIL import Image
        except ImportError:
            raise LookupError("Pillow is not installed")
        src = os.path.join(tmp, "_jxlsrc.png")
        img = Image.new("RGB", (48, 32))
        img.putdata([((x * 5) % 256, (y * 8) % 256, ((x + y) * 3) % 256) for y in range(32) for x in range(48)])
        img.save(src)
        run(["cjxl", "--quiet", src, path, "-d", "1", "--container=" + ("1" if container else "0")])
        os.remove(src)
    return make


SVG_PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" viewBox="0 0 40 30">
  <title>Signet test drawing</title>
  <rect x="2" y="2" width="20" height="10" fill="#c33"/>
  <circle cx="30" cy="20" r="6" fill="blue" stroke="black" stroke-width="0.5"/>
  <path d="M 2 28 L 38 28" stroke="green"/>
</svg>
"""

SVG_METADATA = """<?xml version="1.0" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- drawn by hand for the tests -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:dc="http://purl.org/dc/elements/1.1/" width="24" height="24">
  <metadata><dc:title>metadata sample</dc:title></metadata>
  <g fill="none" stroke="#222"><rect x="3" y="3" width="18" height="18" rx="2" fill="#fc0"/></g>
</svg>
"""


def write_text(text):
    def make(path, tmp):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return make


def pillow_tiff(kind):
    def make(path, tmp):
        try:
            from PIL import Image
        except ImportError:
            raise LookupError("Pillow is not installed")
        if kind == "multi":
            frames = [gif_frame(i, 64).convert("RGB") for i in range(3)]
            frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:])
            return
        img = Image.new("RGB", (48, 32))
        img.putdata([((x * 5) % 256, (y * 8) % 256, ((x * y) * 3) % 256) for y in range(32) for x in range(48)])
        if kind == "big":
            img.save(path, "TIFF", big_tiff=True)
        else:
            img.save(path, "TIFF", compression="tiff_lzw")
    return make


def make_mp3(path, tmp):
    src = os.path.join(tmp, "_mp3src.wav")
    write_wav(src, seconds=0.5)
    if shutil.which("lame"):
        run(["lame", "--quiet", "-b", "32", "--noreplaygain", src, path])
    else:
        need("ffmpeg")
        run(FFMPEG + ["-i", src, "-c:a", "libmp3lame", "-b:a", "32k", "-write_xing", "0", "-id3v2_version", "0"] + BITEXACT + [path])
    os.remove(src)


def make_mp3_id3(path, tmp):
    need("ffmpeg")
    src = os.path.join(tmp, "_mp3src2.wav")
    write_wav(src, seconds=0.5, freq=660.0)
    run(FFMPEG + ["-i", src, "-c:a", "libmp3lame", "-b:a", "32k", "-id3v2_version", "3", "-fflags", "+bitexact",
                  "-metadata", "title=Hello", "-metadata", "artist=Me", path])
    os.remove(src)


def make_flac(path, tmp):
    src = os.path.join(tmp, "_flacsrc.wav")
    write_wav(src, seconds=0.25, freq=330.0)
    if shutil.which("flac"):
        run(["flac", "--silent", "--force", "-o", path, src])
    else:
        need("ffmpeg")
        run(FFMPEG + ["-i", src, "-c:a", "flac"] + BITEXACT + [path])
    os.remove(src)


def ffmpeg_sample(args):
    def make(path, tmp):
        need("ffmpeg")
        run(FFMPEG + args + BITEXACT + [path])
    return make


SAMPLES = {
    "wav": ("wav", lambda path, tmp: write_wav(path)),
    "webp": ("webp", lambda path, tmp: make_webp(path)),
    "avi": ("avi", ffmpeg_sample(VIDEO_IN + ["-c:v", "mjpeg", "-q:v", "10", "-f", "avi"])),
    "mp3": ("mp3", make_mp3),
    "mp3-id3": ("mp3", make_mp3_id3),
    "flac": ("flac", make_flac),
    "mp4-faststart": ("mp4", ffmpeg_sample(VIDEO_IN + H264 + ["-movflags", "+faststart", "-f", "mp4"])),
    "mp4-moovlast": ("mp4", ffmpeg_sample(VIDEO_IN + H264 + ["-f", "mp4"])),
    "mp4-av": ("mp4", ffmpeg_sample(VIDEO_IN + AUDIO_IN + H264 + ["-c:a", "aac", "-b:a", "16k", "-shortest", "-movflags", "+faststart", "-f", "mp4"])),
    "mp4-frag": ("mp4", ffmpeg_sample(VIDEO_IN + H264 + ["-movflags", "frag_keyframe+empty_moov", "-f", "mp4"])),
    "m4a": ("m4a", ffmpeg_sample(AUDIO_IN + ["-c:a", "aac", "-b:a", "16k", "-f", "ipod"])),
    "mov": ("mov", ffmpeg_sample(VIDEO_IN + H264 + ["-f", "mov"])),
    "avif": ("avif", lambda path, tmp: make_avif(path)),
    "gif87a": ("gif", lambda path, tmp: make_gif87a(path)),
    "gif89a": ("gif", lambda path, tmp: make_gif89a(path)),
    "tiff": ("tif", pillow_tiff("single")),
    "tiff-multi": ("tif", pillow_tiff("multi")),
    "bigtiff": ("tif", pillow_tiff("big")),
    "tiff-be": ("tif", lambda path, tmp: make_tiff_be(path)),
    "dng": ("dng", lambda path, tmp: make_dng(path)),
    "jxl": ("jxl", make_jxl(True)),
    "svg": ("svg", write_text(SVG_PLAIN)),
    "svg-metadata": ("svg", write_text(SVG_METADATA)),
    "jxl-bare": ("jxl", make_jxl(False)),
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = sys.argv[2:] or list(SAMPLES)
    made, missing = {}, {}
    for name in names:
        if name not in SAMPLES:
            missing[name] = "unknown sample"
            continue
        ext, make = SAMPLES[name]
        path = os.path.join(out, f"{name}.{ext}")
        try:
            make(path, out)
        except LookupError as e:
            missing[name] = str(e)
            continue
        size = os.path.getsize(path)
        if size > 200_000:
            raise RuntimeError(f"{name} is {size} bytes, over the 200 KB budget")
        made[name] = path
    print(json.dumps({"samples": made, "missing": missing}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
