"""Do onnxruntime's int8 kernels run on AVX-512 VNNI here? Sample the CPU and read the instructions.

onnxruntime ships stripped, and MLAS picks its GEMM kernels from CPUID without saying which, so this
asks the hardware: it runs the int8 encoder for a few seconds under ``perf record``, maps each sampled
address of the onnxruntime library to its instruction with ``objdump``, and prints the hottest
instructions and the share of samples inside loops built on ``vpdpbusd`` (VNNI), on
``vpmaddubsw``/``vpmaddwd`` (the pre-VNNI int8 path) and on ``vfmadd`` (fp32). Needs perf and objdump
(Debian: linux-perf, binutils) and an export (``leadlist export-onnx``); prints, asserts nothing.

    .venv/bin/python -m load.vnni_check [--cache-dir DIR] [--seconds 8]
"""

from __future__ import annotations

import argparse
import bisect
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime

from load._data import ROOT
from models.encoders.onnx_export import MODEL_FILE, default_cache_dir, ensure_exported

KERNEL_FAMILIES = (
    ("VNNI int8 (vpdpbusd)", ("vpdpbus",)),
    ("pre-VNNI int8 (vpmaddubsw/vpmaddwd)", ("vpmaddubsw", "vpmaddwd")),
    ("fp32 FMA (vfmadd)", ("vfmadd",)),
)


def spin(model: Path, seconds: float) -> None:
    """The workload perf samples: batches of 64 sentences of 40 tokens, one thread."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    ids = np.random.default_rng(0).integers(1000, 20000, size=(64, 40), dtype=np.int64)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--spin", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.spin:
        spin(args.spin, args.seconds)
        return 0

    model = ensure_exported(args.cache_dir or default_cache_dir()) / MODEL_FILE
    library = next(Path(onnxruntime.__file__).parent.glob("capi/onnxruntime_pybind11_state*.so"))
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    print(f"onnxruntime {onnxruntime.__version__}, providers {onnxruntime.get_available_providers()}")
    print(f"CPU flag avx512_vnni: {'yes' if ' avx512_vnni' in flags else 'no'}")
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "perf.data"
        workload = [
            sys.executable,
            "-m",
            "load.vnni_check",
            "--spin",
            str(model),
            "--seconds",
            str(args.seconds),
        ]
        subprocess.run(
            ["perf", "record", "-q", "-F", "999", "-o", str(data), *workload], check=True, cwd=ROOT
        )
        report = subprocess.run(
            ["perf", "report", "-i", str(data), "--stdio", "--sort", "dso,sym"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    disassembly = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
    ).stdout
    instructions: dict[int, str] = {}
    for line in disassembly.splitlines():
        match = re.match(r"\s+([0-9a-f]+):\s+(\S+)", line)
        if match:
            instructions[int(match.group(1), 16)] = match.group(2)
    addresses = sorted(instructions)

    hottest: collections.Counter[str] = collections.Counter()
    families: collections.Counter[str] = collections.Counter()
    in_library = 0.0
    for line in report.splitlines():
        match = re.match(r"\s+([\d.]+)%\s+onnxruntime_pybind11_state\S*\s+\[\.\]\s+0x([0-9a-f]+)", line)
        if not match:
            continue
        share, address = float(match.group(1)), int(match.group(2), 16)
        in_library += share
        index = bisect.bisect_right(addresses, address) - 1
        hottest[instructions[addresses[index]]] += share
        # A sample lands on one instruction of a kernel's inner loop; the loop's neighbours say which.
        nearby = {instructions[a] for a in addresses[max(0, index - 24) : index + 24]}
        family = next(
            (name for name, prefixes in KERNEL_FAMILIES if any(i.startswith(prefixes) for i in nearby)),
            "other",
        )
        families[family] += share
    print(f"samples in onnxruntime: {in_library:.1f}%")
    print(
        "hottest instructions: " + ", ".join(f"{name} {share:.1f}%" for name, share in hottest.most_common(6))
    )
    for name, _ in (*KERNEL_FAMILIES, ("other", ())):
        print(f"  in {name} loops: {families[name]:.1f}% of all samples")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
