"""Fuzz a real ``leadlist serve`` from its own OpenAPI document, for longer than CI does.

CI (``tests/service/test_fuzz.py``) runs 120 valid and 120 invalid examples per operation; this runs as
many as asked against a service started on loopback, and keeps going after a failure so that one run
reports every operation. Each answer is checked as CI checks it (``load/_fuzzing.py``): no 5xx, a
documented status, content type and body, and invalid input rejected.

    .venv/bin/python -m load.fuzz --examples 1000
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from load._fuzzing import checks_for, fuzz
from load._server import free_port, running_service


def fuzz_operation(operation: Any, mode: GenerationMode, examples: int) -> tuple[int, str | None]:
    """Cases sent, and the first failure (shrunk by hypothesis) or None."""
    checks = checks_for(operation, mode)
    if checks is None:
        return 0, None
    sent = 0

    def count() -> None:
        nonlocal sent
        sent += 1

    try:
        fuzz(operation, mode, checks, examples, on_case=count)
    except (Exception, FailureGroup) as exc:  # a finding to report, not a reason to stop
        # A group of failed checks is a BaseExceptionGroup, which ``except Exception`` lets through.
        return sent, f"{type(exc).__name__}: {_first_line(exc)}"
    return sent, None


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=1000, help="per operation and mode (valid, invalid)")
    args = parser.parse_args(argv)
    failures = 0
    with running_service(free_port()) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        for path, methods in schema.raw_schema["paths"].items():
            for method in methods:
                operation = schema[path][method]
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    started = time.monotonic()
                    sent, failure = fuzz_operation(operation, mode, args.examples)
                    failures += failure is not None
                    print(
                        f"{method.upper():6} {path:28} {mode.value:8} {sent:6} cases "
                        f"{time.monotonic() - started:6.1f}s  {failure or 'ok'}",
                        flush=True,
                    )
    print(f"{failures} failed (operation, mode) runs")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
