"""Runs the notebooks' checks against a throw-away server (`make notebooks-test`).

1. starts `tepat serve` (the demo city) on a free loopback port with a temporary data
   directory and admin / planner / leader / researcher tokens, passed on in the environment
   (TEPAT_URL, TEPAT_TOKEN = the planner's, TEPAT_<ROLE>_TOKEN);
2. runs pytest on the client's tests (clients/python/tests) and on notebooks/test_notebooks.py;
3. executes every notebooks/*.ipynb top to bottom with nbclient; any cell error fails it.
   A notebook that ends on purpose through `tepat_client.notebook.stop(reason)` (what it
   needs is absent) counts as ended cleanly, with its reason printed.
4. stops the server.

The committed notebooks are never written to; executed copies go to target/notebooks/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tepat_client.testing import TepatServer

NB_DIR = Path(__file__).resolve().parent
REPO = NB_DIR.parent
STOP = "StopNotebook"
UPLOAD_LIMIT_MB = 2


def execute(path: Path, out_dir: Path, timeout: int) -> tuple[str, str]:
    """Runs one notebook; returns (status, note) with status "ok" or "stopped"."""
    nb = nbformat.read(path, as_version=4)
    # IPC (Unix sockets, private to this user) rather than TCP: nothing listens on the network.
    sockets = Path(tempfile.mkdtemp(prefix="tepat-nbk-"))
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(NB_DIR)}},
    )
    status, note = "ok", ""
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as e:
                    if e.ename != STOP:
                        raise
                    status, note = "stopped", e.evalue
                    break
    finally:
        # A kernel manager passed in is not shut down by nbclient.
        if km.has_kernel:
            km.shutdown_kernel()
        shutil.rmtree(sockets, ignore_errors=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return status, note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO / "target" / "debug" / "tepat"))
    ap.add_argument("--only", nargs="*", help="notebook names (default: all of notebooks/*.ipynb)")
    ap.add_argument("--no-pytest", action="store_true", help="skip the pytest step")
    ap.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = ap.parse_args()

    notebooks = sorted(NB_DIR.glob("*.ipynb"))
    if args.only:
        notebooks = [p for p in notebooks if p.name in args.only or p.stem in args.only]
    failures: list[str] = []
    # A small upload limit, so that the client's tests can reach it (the notebooks' uploads are
    # well below it).
    serve_help = subprocess.run([args.binary, "serve", "--help"], capture_output=True, text=True, check=True)
    limit_args = ("--max-upload-mb", str(UPLOAD_LIMIT_MB)) if "--max-upload-mb" in serve_help.stdout else ()
    with TepatServer(args.binary, extra_args=limit_args) as server:
        env = dict(os.environ)
        if limit_args:
            env["TEPAT_MAX_UPLOAD_MB"] = str(UPLOAD_LIMIT_MB)
        env.update(
            TEPAT_URL=server.url,
            TEPAT_TOKEN=server.tokens["planner"],
            **{f"TEPAT_{role.upper()}_TOKEN": tok for role, tok in server.tokens.items()},
        )
        print(f"tepat serve on {server.url} (data dir {server.data_dir})", flush=True)
        if not args.no_pytest:
            t0 = time.monotonic()
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-rs",
                str(REPO / "clients" / "python" / "tests"),
                str(NB_DIR / "test_notebooks.py"),
            ]
            rc = subprocess.run(cmd, check=False, env=env, cwd=REPO).returncode
            print(f"pytest: exit {rc} in {time.monotonic() - t0:.1f} s", flush=True)
            if rc != 0:
                failures.append("pytest")
        if not args.no_notebooks:
            # The kernels inherit this process' environment.
            os.environ.update({k: v for k, v in env.items() if k.startswith("TEPAT_")})
            for path in notebooks:
                t0 = time.monotonic()
                try:
                    status, note = execute(path, REPO / "target" / "notebooks", args.timeout)
                except CellExecutionError as e:
                    print(f"FAIL {path.name} ({time.monotonic() - t0:.1f} s)\n{e}", flush=True)
                    failures.append(path.name)
                    continue
                extra = f": {note}" if note else ""
                print(f"{status:>7} {path.name} ({time.monotonic() - t0:.1f} s){extra}", flush=True)
    if failures:
        print(f"notebooks-test failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("notebooks-test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
