"""Contract test of the HTTP API, run by `make contract-test` (and so by `make test`).

1. api/openapi.json must be a valid OpenAPI 3.1 document (openapi-spec-validator).
2. The real `tepat serve` is started on a free loopback port with a temporary data
   directory, and schemathesis sends every documented operation a bounded number of
   generated requests (valid and invalid ones, with an admin token so writes are reached).
   Any 5xx, or a response whose body does not match its documented schema, fails the run.

Usage: run.py --tepat target/debug/tepat --spec api/openapi.json [--max-examples N]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

# Checks that fail the run: a server error, or a body unlike its schema.
CHECKS = "not_a_server_error,response_schema_conformance"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tepat serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"tepat serve not healthy after {timeout_s:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tepat", required=True, type=Path, help="the tepat binary")
    ap.add_argument("--spec", required=True, type=Path, help="api/openapi.json")
    ap.add_argument("--max-examples", type=int, default=8, help="cases per operation")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()

    spec = json.loads(args.spec.read_text())
    try:
        validate(spec)
    except OpenAPIValidationError as e:
        print(f"{args.spec}: not a valid OpenAPI document: {e}", file=sys.stderr)
        return 1
    if not spec.get("openapi", "").startswith("3.1"):
        print(f"{args.spec}: openapi is {spec.get('openapi')!r}, expected 3.1.x", file=sys.stderr)
        return 1
    operations = sum(
        1 for item in spec["paths"].values() for m in item if m in {"get", "post", "put", "delete", "patch"}
    )
    print(f"{args.spec}: valid OpenAPI {spec['openapi']}, {operations} operations")

    with tempfile.TemporaryDirectory(prefix="tepat-contract-") as tmp:
        data = Path(tmp) / "data"
        made = subprocess.run(
            [str(args.tepat), "token", "create", "--role", "admin", "--data-dir", str(data),
             "--label", "contract test"],
            check=True, capture_output=True, text=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}/api/v1"
        log_path = Path(tmp) / "serve.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [str(args.tepat), "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", str(data)],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
            )
            try:
                wait_healthy(base, server, 120)
                started = time.monotonic()
                st = Path(sys.executable).with_name("schemathesis")
                cmd = [
                    str(st), "--no-color", "run", str(Path(args.spec).resolve()),
                    "--url", base,
                    "--checks", CHECKS,
                    "--max-examples", str(args.max_examples),
                    "--seed", str(args.seed),
                    "--phases", "examples,coverage,fuzzing",
                    "--header", f"Authorization: Bearer {token}",
                    "--request-timeout", "60",
                    "--workers", "2",
                    "--suppress-health-check", "all",
                ]
                code = subprocess.run(cmd, cwd=tmp).returncode
                print(f"schemathesis: exit {code} after {time.monotonic() - started:.0f} s")
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
        if code != 0:
            tail = log_path.read_text().splitlines()[-40:]
            print("last lines of the server's log:", *tail, sep="\n", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
