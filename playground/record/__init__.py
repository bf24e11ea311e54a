"""Crash-safe recording of sessions: `Recorder` writes, `load(path)` reads."""
from playground.record.reader import Recording, RecordingError, load
from playground.record.recorder import Recorder

__all__ = ["Recorder", "Recording", "RecordingError", "load"]
