"""A throw-away ``tepat serve`` for tests and notebooks: a free loopback port, a temporary
data directory, and one token per role."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import requests

ROLES = ("admin", "planner", "leader", "researcher")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TepatServer:
    """``tepat serve`` on a free port with a fresh data directory (the demo city unless
    ``project`` is given). Use as a context manager, or call :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        binary: str | Path,
        *,
        project: str | Path | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 120.0,
        log: Path | None = None,
    ) -> None:
        self.binary = Path(binary)
        if not self.binary.is_file():
            raise FileNotFoundError(f"tepat binary not found at {self.binary} (cargo build -p tepat)")
        self.project = project
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.data_dir = Path(tempfile.mkdtemp(prefix="tepat-nb-"))
        self.log_path = log or self.data_dir / "serve.log"
        self.tokens: dict[str, str] = {}
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, role: str) -> str:
        out = subprocess.run(
            [str(self.binary), "token", "create", "--role", role, "--data-dir", str(self.data_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        lines = [line for line in out.stdout.splitlines() if line.strip()]
        if not lines:
            raise RuntimeError(f"`tepat token create --role {role}` printed no token: {out.stderr}")
        return lines[-1].strip()

    def start(self) -> Self:
        self.tokens = {role: self.token(role) for role in ROLES}
        self.port = free_port()
        args = [
            str(self.binary),
            "serve",
            "--addr",
            f"127.0.0.1:{self.port}",
            "--data-dir",
            str(self.data_dir),
        ]
        if self.project is not None:
            args += ["--project", str(self.project)]
        args += list(self.extra_args)
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tepat serve exited with {self.proc.returncode}: {self.log()}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"tepat serve did not answer within {self.startup_timeout} s: {self.log()}"
                )
            time.sleep(0.1)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
