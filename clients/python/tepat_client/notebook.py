"""Small helpers for notebooks: stopping a notebook cleanly when what it needs is absent,
and finding shared folders relative to the repository."""

from __future__ import annotations

from pathlib import Path


class StopNotebook(Exception):
    """Raised by :func:`stop`: the notebook ends here on purpose, for the reason given.

    Jupyter's "Run All" stops at it and shows only the reason; notebooks/run_all.py counts a
    notebook that stops this way as ended cleanly and prints the reason.
    """

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback.
        return [f"Notebook stopped: {self}"]


def stop(reason: str) -> None:
    """Print ``reason`` and end the notebook here (see :class:`StopNotebook`)."""
    print(f"Notebook stopped: {reason}")
    raise StopNotebook(reason)


def find_up(relative: str, start: Path | None = None) -> Path | None:
    """The first ``<dir>/relative`` that exists, from ``start`` (default: the working
    directory) up to the filesystem root."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / relative
        if candidate.exists():
            return candidate
    return None


def repo_root(start: Path | None = None) -> Path:
    """The repository root: the nearest directory above ``start`` holding ``Cargo.toml``
    and ``notebooks/``."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "Cargo.toml").is_file() and (d / "notebooks").is_dir():
            return d
    raise FileNotFoundError(f"no repository root (Cargo.toml + notebooks/) above {here}")
