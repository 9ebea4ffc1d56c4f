"""ffmpeg/ffprobe (Debian package ``ffmpeg``): inspect, normalise and draw audio files given as paths.

Everything is read from the audio itself, never from what the client claims. Calls are bounded by a timeout so a
hostile file cannot hold a worker.
"""
import json
import shutil
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 120
WAVEFORM_SIZE = "420x80"


class AudioToolsMissing(Exception):
    """ffmpeg or ffprobe is not installed on this machine."""


class InvalidAudio(Exception):
    """The file holds no decodable audio."""


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AudioToolsMissing(f"{name} not found on PATH: install the Debian package 'ffmpeg'")
    return path


def require_tools() -> None:
    _binary("ffmpeg")
    _binary("ffprobe")


def _run(args: list[str]) -> bytes:
    try:
        done = subprocess.run(args, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise InvalidAudio("timed out reading the audio") from None
    if done.returncode != 0:
        raise InvalidAudio(done.stderr.decode(errors="replace")[-300:])
    return done.stdout


def probe(path: Path) -> dict:
    """``{"format": <demuxer name>, "codec": <first audio stream codec>}``; InvalidAudio when there is none."""
    out = _run([_binary("ffprobe"), "-v", "error", "-show_entries", "format=format_name:stream=codec_type,codec_name",
                "-of", "json", str(path)])
    info = json.loads(out or b"{}")
    audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise InvalidAudio("no audio stream")
    return {"format": info.get("format", {}).get("format_name", ""), "codec": audio[0].get("codec_name", "")}


def to_adts(src: Path, dst: Path, codec: str) -> None:
    """Rewrite the first audio stream as raw AAC in ADTS frames (copied when already AAC, encoded otherwise).

    ADTS is self-framed, so segments stored this way can be joined byte by byte into one playable stream.
    """
    audio_args = ["-c:a", "copy"] if codec == "aac" else ["-c:a", "aac", "-b:a", "96k"]
    _run([_binary("ffmpeg"), "-v", "error", "-y", "-i", str(src), "-vn", "-sn", "-dn", "-map", "0:a:0",
          *audio_args, "-f", "adts", str(dst)])


def duration_seconds(path: Path) -> float:
    """Sum of the audio packets' durations: exact for ADTS, whose header carries no total duration."""
    out = _run([_binary("ffprobe"), "-v", "error", "-select_streams", "a:0", "-show_entries",
                "packet=duration_time", "-of", "csv=p=0", str(path)])
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
    return total


def waveform_png(path: Path) -> bytes:
    return _run([_binary("ffmpeg"), "-v", "error", "-i", str(path), "-filter_complex",
                 f"aformat=channel_layouts=mono,compand,showwavespic=s={WAVEFORM_SIZE}:colors=white",
                 "-frames:v", "1", "-f", "image2", "-c:v", "png", "pipe:1"])
