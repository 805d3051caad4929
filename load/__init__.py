"""Load tests and benchmarks for leadlist, run from the repository root as ``python -m load.<tool>``.

Modules whose names start with an underscore are the library the tools share: the service on loopback
(``_server``), the HTTP driver (``_client``), statistics (``_stats``), the ``/metrics`` scraper
(``_metrics``), ROUGE and its reference stories (``_rouge``), where the shared data lives (``_data``),
the articles a run sends (``_articles``, ``_stories``) and the fuzzing checks (``_fuzzing``). Every other
module is a tool with a ``main``; no tool imports another. The tools print numbers and never assert
timings: timings belong in benchmarks, not in tests.
"""
