"""ffmpeg/ffprobe (Debian package ``ffmpeg``): inspect, normalise and draw audio files given as paths.

Everything is read from the audio itself, never from what the client claims. An upload is hostile until proven
otherwise, so every call:

* forces the input format from the file's own magic bytes (ADTS, or an MP4/M4A container: what the app records),
  so ffmpeg never picks a demuxer by probing (an HLS playlist or a concat script would make it open other files);
* opens exactly the one temporary file it is given (``file:`` prefix, ``-protocol_whitelist file``, MP4 external
  data references off), never a path or URL found inside the content;
* is bounded: the app never records a segment longer than ``MAX_SEGMENT_SECONDS``, longer audio is refused from
  ffprobe's answer before any decoding, at most that much is ever decoded, and each process has a timeout (ffprobe's
  far below the web worker's);
* runs on one thread at a lower CPU priority (``nice``), so uploads being transcoded yield the CPU to requests
  such as a panic alert.
"""
import json
import shutil
import subprocess
from pathlib import Path

# The app's longest segment (module `modo_seguranca`, Perl default 901 s), plus half a second of frame rounding.
MAX_SEGMENT_SECONDS = 901
_DURATION_SLACK = 0.5
PROBE_TIMEOUT_SECONDS = 5
# Encoding MAX_SEGMENT_SECONDS of audio to AAC takes about 10 s on one idle core; a busy, niced one needs more. The
# web workers are threaded, so this holds one thread, not the worker (penhas_api/web_server.py).
TRANSCODE_TIMEOUT_SECONDS = 60
NICE = 10
WAVEFORM_SIZE = "420x80"

ADTS = "aac"  # ffmpeg's demuxer name for raw AAC in ADTS frames
MP4 = "mov"


class AudioToolsMissing(Exception):
    """ffmpeg or ffprobe is not installed on this machine."""


class InvalidAudio(Exception):
    """The file holds no decodable audio of an accepted format."""


class AudioTooLong(InvalidAudio):
    """The audio lasts longer than any segment the app records."""


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AudioToolsMissing(f"{name} not found on PATH: install the Debian package 'ffmpeg'")
    return path


def require_tools() -> None:
    _binary("ffmpeg")
    _binary("ffprobe")


def detect_format(path: Path) -> str:
    """The demuxer to force, from the first bytes: ADTS sync word, or an ISO-BMFF ``ftyp`` box."""
    with open(path, "rb") as f:
        head = f.read(12)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return ADTS
    if head[4:8] == b"ftyp":
        return MP4
    raise InvalidAudio("neither AAC/ADTS nor an MP4 container")


def _input(path: Path, fmt: str | None = None) -> list[str]:
    fmt = fmt or detect_format(path)
    extra = ["-enable_drefs", "0"] if fmt == MP4 else []
    return ["-protocol_whitelist", "file", "-f", fmt, *extra, "-i", f"file:{path}"]


def _run(args: list[str], timeout: float) -> bytes:
    nice = shutil.which("nice")
    if nice:
        args = [nice, "-n", str(NICE), *args]
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise InvalidAudio("timed out reading the audio") from None
    if done.returncode != 0:
        raise InvalidAudio(done.stderr.decode(errors="replace")[-300:])
    return done.stdout


def _too_long(seconds: float) -> bool:
    return seconds > MAX_SEGMENT_SECONDS + _DURATION_SLACK


def probe(path: Path) -> dict:
    """``{"format", "codec", "duration"}`` of the first audio stream; InvalidAudio when there is none,
    AudioTooLong when the container says it lasts longer than a segment can."""
    fmt = detect_format(path)
    out = _run([_binary("ffprobe"), "-v", "error", *_input(path, fmt),
                "-show_entries", "format=format_name,duration:stream=codec_type,codec_name,duration",
                "-of", "json"], PROBE_TIMEOUT_SECONDS)
    info = json.loads(out or b"{}")
    audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise InvalidAudio("no audio stream")
    durations = [d for d in (_seconds(info.get("format", {}).get("duration")), _seconds(audio[0].get("duration")))
                 if d is not None]
    duration = max(durations) if durations else None
    # An MP4 header states the length; ADTS has none (ffprobe guesses from the bit rate), so its exact length is
    # counted by duration_seconds instead.
    if fmt == MP4 and duration is not None and _too_long(duration):
        raise AudioTooLong(f"{duration:.0f} s")
    return {"format": info.get("format", {}).get("format_name", ""), "codec": audio[0].get("codec_name", ""),
            "duration": duration}


def _seconds(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_adts(src: Path, dst: Path, codec: str) -> None:
    """Rewrite the first audio stream as raw AAC in ADTS frames (copied when already AAC, encoded otherwise).

    ADTS is self-framed, so segments stored this way can be joined byte by byte into one playable stream. At most
    a little more than a segment's length is written, so a container whose header lies about its length costs
    no more than an honest one (``duration_seconds`` then refuses the result).
    """
    audio_args = ["-c:a", "copy"] if codec == "aac" else ["-c:a", "aac", "-b:a", "96k"]
    _run([_binary("ffmpeg"), "-v", "error", "-y", "-threads", "1", *_input(src), "-vn", "-sn", "-dn",
          "-map", "0:a:0", "-t", str(MAX_SEGMENT_SECONDS + 1), *audio_args, "-threads", "1", "-f", "adts",
          f"file:{dst}"], TRANSCODE_TIMEOUT_SECONDS)


def duration_seconds(path: Path) -> float:
    """Sum of the audio packets' durations of an ADTS file: exact, since its header carries no total duration.

    Only the first MAX_SEGMENT_SECONDS (and a bit) are read: past that the answer is "too long" anyway."""
    out = _run([_binary("ffprobe"), "-v", "error", *_input(path, ADTS),
                "-read_intervals", f"%+{MAX_SEGMENT_SECONDS + 2}", "-select_streams", "a:0",
                "-show_entries", "packet=duration_time", "-of", "csv=p=0"], PROBE_TIMEOUT_SECONDS)
    total = 0.0
    packets = 0
    for line in out.decode().split():
        try:
            total += float(line.strip().rstrip(","))
            packets += 1
        except ValueError:
            continue
    if packets == 0:
        raise InvalidAudio("no audio packets")
    if _too_long(total):
        raise AudioTooLong(f"{total:.0f} s")
    return total


def waveform_png(path: Path) -> bytes:
    """The waveform picture of an ADTS file (already checked to be at most a segment long)."""
    return _run([_binary("ffmpeg"), "-v", "error", "-threads", "1", *_input(path, ADTS), "-filter_complex",
                 f"aformat=channel_layouts=mono,compand,showwavespic=s={WAVEFORM_SIZE}:colors=white",
                 "-frames:v", "1", "-f", "image2", "-c:v", "png", "pipe:1"], TRANSCODE_TIMEOUT_SECONDS)
