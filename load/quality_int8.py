"""Does int8 keep the summaries? fp32 and int8 encoders side by side on the same CNN stories.

Prints ROUGE-1/2/Lsum (scored as ``leadlist eval`` scores: rouge-score, stemmed F-measure, bullets joined
by newlines, the convention of published CNN/DailyMail numbers) for both encoders and their difference, how often the two pick the same
bullets, and the cosine between int8 and fp32 sentence embeddings (min / 1st percentile / mean). The
target: ROUGE-1 within 0.3 points of fp32. Needs ../shared/data/cnn_dev.jsonl.

    .venv/bin/python -m load.quality_int8               # all 600 stories
    .venv/bin/python -m load.quality_int8 --limit 100
"""

from __future__ import annotations

import argparse
from pathlib import Path

from load._data import CNN_DEV
from load._rouge import ROUGE_TYPES, RougeMeter, dev_examples
from load._stats import percentile
from models import Document, load_summariser, summarise
from models.encoders.onnx_export import default_cache_dir, ensure_exported
from models.extractive.summariser import ExtractiveSummariser
from models.text.segmentation import segment


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--cosine-articles", type=int, default=100, help="stories whose sentences to compare")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    examples = dev_examples(args.limit)
    if examples is None:
        print(
            f"quality_int8: {CNN_DEV.name} is not available beside the repository (../shared/data); skipped"
        )
        return 0
    documents = [Document(example.article) for example in examples]

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
        f"min {cosine.min():.4f}, 1st percentile {percentile(cosine.tolist(), 0.01):.4f}, "
        f"mean {cosine.mean():.4f}"
    )

    results = {name: summarise(model, documents) for name, model in (("fp32", fp32), ("int8", int8))}
    meter = RougeMeter()
    scores = {
        name: meter.mean([[b.text for b in s.bullets] for s in summaries], examples)
        for name, summaries in results.items()
    }
    same = sum(
        [b.start for b in a.bullets] == [b.start for b in b_.bullets]
        for a, b_ in zip(results["fp32"], results["int8"], strict=True)
    )
    print(f"\n{len(documents)} stories of {CNN_DEV.name}   R1      R2      RLsum")
    for name, score in scores.items():
        print(f"{name:<28} {score['rouge1']:6.2f}  {score['rouge2']:6.2f}  {score['rougeLsum']:6.2f}")
    diff = {m: scores["int8"][m] - scores["fp32"][m] for m in ROUGE_TYPES}
    print(f"{'int8 - fp32':<28} {diff['rouge1']:+6.2f}  {diff['rouge2']:+6.2f}  {diff['rougeLsum']:+6.2f}")
    print(f"identical bullets: {same}/{len(documents)} stories")
    print(f"ROUGE-1 within 0.3 of fp32: {'yes' if abs(diff['rouge1']) <= 0.3 else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
