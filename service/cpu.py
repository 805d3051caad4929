"""How many threads the service's own numeric work may use beside the model.

Ranking a finished document (numpy: attention over its sentences, centrality) runs in a thread beside
the next model call, on the same cores. With numpy's BLAS free to start a thread per core, ranking an
80,000-character document fought the encoder for both cores, and the short requests sharing that model
call waited for it: their p99 beside such a document was 256-287 ms with BLAS on two threads, 195-229 ms
with this limit, and 175-177 ms with ``OPENBLAS_NUM_THREADS=1`` from process start, as the image sets it
(``python -m load.bench_fairness``, docs/performance.md). The encoder keeps its own threads (torch's
OpenMP pool, or onnxruntime's), which this does not touch.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

# Ranking's matrices are a few hundred rows: one BLAS thread is as fast as two when both cores are busy.
BLAS_THREADS = 1


def limit_blas_threads() -> threadpool_limits:
    """Hold numpy's and scipy's BLAS to ``BLAS_THREADS`` until the returned limiter is restored."""
    return threadpool_limits(limits=BLAS_THREADS, user_api="blas")
