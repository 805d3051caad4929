"""Does int8 keep the summaries? fp32 and int8 encoders side by side on the same CNN stories.

Prints ROUGE-1/2/Lsum (rouge-score, stemmed F-measure, bullets joined by newlines, the convention of
published CNN/DailyMail numbers) for both encoders and their difference, how often the two pick the same
bullets, and the cosine between int8 and fp32 sentence embeddings (min / 1st percentile / mean). The
target: ROUGE-1 within 0.3 points of fp32. Needs ../shared/data/cnn_dev.jsonl.

    .venv/bin/python load/quality_int8.py               # all 600 stories
    .venv/bin/python load/quality_int8.py --limit 100
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from rouge_score.rouge_scorer import RougeScorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import Document, Summary, load_summariser, summarise  # noqa: E402
from models.encoders.onnx_export import default_cache_dir, ensure_exported  # noqa: E402
from models.extractive.summariser import ExtractiveSummariser  # noqa: E402
from models.text.segmentation import segment  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "cnn_dev.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def rouge(summaries: list[Summary], references: list[list[str]]) -> dict[str, float]:
    scorer = RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    for summary, highlights in zip(summaries, references, strict=True):
        scores = scorer.score("\n".join(highlights), "\n".join(b.text for b in summary.bullets))
        for metric in METRICS:
            totals[metric] += scores[metric].fmeasure
    return {metric: 100 * value / len(summaries) for metric, value in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--cosine-articles", type=int, default=100, help="stories whose sentences to compare")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"quality_int8: {DATA.name} is not available beside the repository (../shared/data); skipped")
        return 0
    with DATA.open() as rows:
        data = [json.loads(line) for _, line in zip(range(args.limit), rows, strict=False)]
    documents = [Document(row["article"]) for row in data]
    references = [row["highlights"] for row in data]

    fp32 = load_summariser("extractive")
    cache_dir = args.cache_dir or default_cache_dir()
    ensure_exported(cache_dir)
    int8 = load_summariser("extractive", encoder="onnx-int8", cache_dir=cache_dir)
    assert isinstance(fp32, ExtractiveSummariser)
    assert isinstance(int8, ExtractiveSummariser)

    sentences = [s.text for d in documents[: args.cosine_articles] for s in segment(d.text).sentences]
    cosine = (fp32.encoder.encode(sentences) * int8.encoder.encode(sentences)).sum(axis=1)
    print(
        f"cosine int8 vs fp32 over {len(sentences)} sentences of {args.cosine_articles} stories: "
        f"min {cosine.min():.4f}, 1st percentile {np.percentile(cosine, 1):.4f}, mean {cosine.mean():.4f}"
    )

    results = {name: summarise(model, documents) for name, model in (("fp32", fp32), ("int8", int8))}
    scores = {name: rouge(summaries, references) for name, summaries in results.items()}
    same = sum(
        [b.start for b in a.bullets] == [b.start for b in b_.bullets]
        for a, b_ in zip(results["fp32"], results["int8"], strict=True)
    )
    print(f"\n{len(documents)} stories of {DATA.name}   R1      R2      RLsum")
    for name, score in scores.items():
        print(f"{name:<28} {score['rouge1']:6.2f}  {score['rouge2']:6.2f}  {score['rougeLsum']:6.2f}")
    diff = {m: scores["int8"][m] - scores["fp32"][m] for m in METRICS}
    print(f"{'int8 - fp32':<28} {diff['rouge1']:+6.2f}  {diff['rouge2']:+6.2f}  {diff['rougeLsum']:+6.2f}")
    print(f"identical bullets: {same}/{len(documents)} stories")
    print(f"ROUGE-1 within 0.3 of fp32: {'yes' if abs(diff['rouge1']) <= 0.3 else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
