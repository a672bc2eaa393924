"""What a process that serves or manages the app prepares before Django starts."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def prepare_local_dirs() -> None:
    """The embedded SQLite database lives in var/ (see settings); create it when missing."""
    (BASE_DIR / "var").mkdir(exist_ok=True)
