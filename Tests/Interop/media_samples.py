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
