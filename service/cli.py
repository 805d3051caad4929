"""The ``leadlist`` command: serve the API, or summarise a file with the same model in-process."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from service.settings import Settings, get_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadlist", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service (one worker; scale with replicas)")
    serve.add_argument("--host", help="bind address (LEADLIST_HOST)")
    serve.add_argument("--port", type=int, help="port (LEADLIST_PORT)")

    summarize = commands.add_parser("summarize", help="print the key points of an article file")
    summarize.add_argument("file", help="a text file whose first line may be the title; - reads stdin")
    summarize.add_argument("--max-bullets", type=int, choices=range(1, 11), metavar="{1..10}")
    summarize.add_argument("--json", action="store_true", help="print the API's JSON response instead")

    export = commands.add_parser(
        "export-onnx", help="export and quantise the encoder to int8 ONNX (for LEADLIST_ENCODER=onnx-int8)"
    )
    export.add_argument("--cache-dir", type=Path, help="where to write it (LEADLIST_CACHE_DIR)")

    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command == "export-onnx":
        return _export_onnx(settings, args.cache_dir)
    return _summarize(settings, args.file, args.max_bullets, args.json)


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    from service.app import create_app
    from service.logs import configure_logging
    from service.server import build_server

    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    configure_logging(settings.log_level)
    build_server(create_app(settings), settings).run()
    return 0


def _summarize(settings: Settings, path: str, max_bullets: int | None, as_json: bool) -> int:
    from pydantic import ValidationError

    from models import summarise
    from models.text import title_line
    from service.app import load_from_settings
    from service.errors import ProblemError
    from service.requests import to_document
    from service.schemas import ModelRef, SummarizeRequest, SummarizeResponse

    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
        payload = SummarizeRequest(text=text, title=title_line(text), max_bullets=max_bullets)
        document = to_document(payload, settings)
    except (UnicodeDecodeError, ValidationError, ProblemError) as exc:
        print(f"leadlist: cannot summarise {path}: {exc}", file=sys.stderr)
        return 2
    summariser = load_from_settings(settings)
    [summary] = summarise(summariser, [document])
    if as_json:
        model = ModelRef(name=summariser.info.name, version=summariser.info.version)
        print(json.dumps(SummarizeResponse.from_summary(summary, model).model_dump(), ensure_ascii=False))
    else:
        for bullet in summary.bullets:
            print(f"- {bullet.text}")
    return 0


def _export_onnx(settings: Settings, cache_dir: Path | None) -> int:
    """Export once (build time); a later start with LEADLIST_ENCODER=onnx-int8 then needs no torch."""
    from models.onnx_export import ensure_exported, export_dir, is_exported

    cache_dir = cache_dir or settings.cache_dir
    model_dir = settings.model_path
    folder = export_dir(cache_dir, model_dir)
    if is_exported(folder):
        print(f"already exported: {folder}")
        return 0
    ensure_exported(cache_dir, model_dir)
    print(f"exported: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
