"""The ``leadlist`` command: serve the API, summarise a file, evaluate on a data set, or fit the ranker.

Every command that summarises builds its documents through the service's own request path
(``SummarizeRequest`` → ``to_document``), so what it measures is what the API returns.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from models import Document
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

    evaluate = commands.add_parser("eval", help="ROUGE of leadlist and baselines on a JSONL data set")
    evaluate.add_argument("data", type=Path, help='JSONL rows {"id", "article", "highlights": [...]}')
    evaluate.add_argument("--max-bullets", type=int, choices=range(1, 11), metavar="{1..10}")
    evaluate.add_argument(
        "--baselines",
        default="lead,lexrank,textrank",
        help="comma-separated: lead, lexrank, textrank, or none",
    )
    evaluate.add_argument("--limit", type=int, help="only the first N rows")
    evaluate.add_argument("--split", help='only rows whose "split" field is this (e.g. validation)')
    evaluate.add_argument("--json", type=Path, dest="json_out", help="also write the table as JSON here")
    evaluate.add_argument(
        "--cache-dir",
        type=Path,
        help="reuse sentence embeddings cached here (articles/s then excludes the encoder)",
    )

    train = commands.add_parser(
        "train-ranker", help="fit the salience network on CNN/DailyMail and choose its settings on validation"
    )
    train.add_argument(
        "--data",
        type=Path,
        required=True,
        help="CNN/DailyMail JSONL (.xz/.gz too) with train and validation rows",
    )
    train.add_argument(
        "--titles", type=Path, help="titled stories with summary_sentences (BBC) for the title weight"
    )
    train.add_argument(
        "--train-stories",
        type=int,
        default=33_515,
        help="a seeded sample of the train split (the default leaves its last 5,000 to --held-out-stories)",
    )
    train.add_argument("--validation-stories", type=int, help="the first N validation rows (default: all)")
    train.add_argument(
        "--held-out-stories",
        type=int,
        default=5_000,
        help="also report on the N train stories after the fitted ones (CNN and DailyMail apart)",
    )
    train.add_argument("--epochs", type=int, default=4)
    train.add_argument("--members", type=int, default=3, help="networks from consecutive seeds, averaged")
    train.add_argument("--layers", type=int, default=1, help="self-attention layers in each network")
    train.add_argument("--seed", type=int, default=13)
    train.add_argument(
        "--out", type=Path, help="where to write the fitted parameters (default: the shipped params file)"
    )
    train.add_argument(
        "--cache-dir", type=Path, default=Path(".cache/training"), help="sentence embedding cache (resumable)"
    )

    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command == "export-onnx":
        return _export_onnx(settings, args.cache_dir)
    if args.command == "eval":
        return _eval(settings, args)
    if args.command == "train-ranker":
        return _train(settings, args)
    return _summarize(settings, args.file, args.max_bullets, args.json)


def _serve(settings: Settings, host: str | None, port: int | None) -> NoReturn:
    from uvicorn.config import STARTUP_FAILURE

    from service.app import create_app
    from service.logs import configure_logging
    from service.memory import limit_malloc_arenas
    from service.server import build_server

    limit_malloc_arenas()
    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    configure_logging(settings.log_level)
    server = build_server(create_app(settings), settings)
    server.run()
    # Every request has been answered and the logs flushed below; what is left is the interpreter's
    # own teardown (~1 s with torch loaded, and a join of any model call still running), which would
    # push a drained stop past LEADLIST_SHUTDOWN_GRACE_S. Nothing in it matters to a stopped server.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if server.started else STARTUP_FAILURE)


def _summarize(settings: Settings, path: str, max_bullets: int | None, as_json: bool) -> int:
    from pydantic import ValidationError

    from models import summarise
    from service.app import load_from_settings
    from service.documents import plain_text_title
    from service.errors import ProblemError
    from service.inputs import prepare_input, respond
    from service.schemas import ModelRef, SummarizeRequest

    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        # Missing, a directory, unreadable: one line a user can act on, not a traceback.
        print(f"leadlist: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        text = raw.decode("utf-8")
        payload = SummarizeRequest(text=text, title=plain_text_title(text), max_bullets=max_bullets)
        prepared = prepare_input(payload, settings)
    except UnicodeDecodeError as exc:
        print(f"leadlist: cannot summarise {path}: not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return 2
    except ValidationError as exc:
        # pydantic's message runs over several lines; the first error is enough to act on.
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        print(f"leadlist: cannot summarise {path}: {where}: {first['msg']}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"leadlist: cannot summarise {path}: {exc.detail}", file=sys.stderr)
        return 2
    summariser = load_from_settings(settings)
    [summary] = summarise(summariser, [prepared.document])
    model = ModelRef(name=summariser.info.name, version=summariser.info.version)
    response = respond(prepared, summary, model, summariser.info.generative)
    if as_json:
        print(json.dumps(response.model_dump(exclude_none=True), ensure_ascii=False))
    else:
        for bullet in response.bullets:
            print(f"- {bullet.text}")
        for warning in response.warnings:
            print(f"leadlist: warning {warning.code}: {warning.detail}", file=sys.stderr)
    return 0


def _export_onnx(settings: Settings, cache_dir: Path | None) -> int:
    """Export once (build time); a later start with LEADLIST_ENCODER=onnx-int8 then needs no torch."""
    from models import ensure_exported, export_dir, is_exported

    cache_dir = cache_dir or settings.cache_dir
    model_dir = settings.model_path
    folder = export_dir(cache_dir, model_dir)
    if is_exported(folder):
        print(f"already exported: {folder}")
        return 0
    ensure_exported(cache_dir, model_dir)
    print(f"exported: {folder}")
    return 0


def service_documents(articles: Sequence[str], settings: Settings, max_bullets: int | None) -> list[Document]:
    """Documents built exactly as ``POST /v1/summarize`` builds them from ``{"text", "max_bullets"}``."""
    from service.documents import to_document
    from service.schemas import SummarizeRequest

    return [to_document(SummarizeRequest(text=a, max_bullets=max_bullets), settings) for a in articles]


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from models.quality import BASELINES, evaluate, format_table, load_examples, rows_as_json
    from service.app import load_from_settings
    from service.errors import ProblemError

    data: Path = args.data
    max_bullets: int | None = args.max_bullets
    baselines: str = args.baselines
    names = [] if baselines.strip() == "none" else [b.strip() for b in baselines.split(",") if b.strip()]
    unknown = set(names) - set(BASELINES)
    if unknown:
        print(
            f"leadlist: unknown baselines {sorted(unknown)}; choose from {', '.join(BASELINES)}",
            file=sys.stderr,
        )
        return 2
    try:
        examples = load_examples(data, args.limit, args.split)
        documents = service_documents([e.article for e in examples], settings, max_bullets)
    except (OSError, ValueError, ProblemError) as exc:
        print(f"leadlist: cannot evaluate {data}: {exc}", file=sys.stderr)
        return 2
    summariser = load_from_settings(settings)
    total = len(examples) * (1 + len(names))
    with tqdm(total=total, desc="eval", unit="article", disable=total < 50, file=sys.stderr) as bar:
        rows = evaluate(
            summariser,
            examples,
            documents,
            baselines=names,
            baseline_bullets=max_bullets or 3,
            progress=bar.update,
            cache_dir=args.cache_dir,
        )
    print(f"{data.name}: {len(examples)} articles, max_bullets={max_bullets or 'auto'}")
    print(format_table(rows))
    if args.json_out:
        context = {"data": data.name, "articles": len(examples), "max_bullets": max_bullets}
        args.json_out.write_text(rows_as_json(rows, model=summariser.info.version, **context))
    return 0


def _train(settings: Settings, args: argparse.Namespace) -> int:
    from models import load_encoder
    from models.quality import train_ranker

    encoder = load_encoder("torch", settings.model_path, settings.threads or None)
    return train_ranker(
        args.data,
        encoder,
        args.cache_dir,
        titles=args.titles,
        train_stories=args.train_stories,
        validation_stories=args.validation_stories,
        held_out_stories=args.held_out_stories,
        epochs=args.epochs,
        members=args.members,
        layers=args.layers,
        seed=args.seed,
        out=args.out,
    )


if __name__ == "__main__":
    raise SystemExit(main())
