"""The result cache: answers kept by content, in process and optionally in a Redis shared by replicas.

``key`` says what identifies an answer, ``codec`` turns a summary into bytes and back, ``memory`` is the
byte-bounded LRU, ``shared`` the Redis tier that may fail without failing a request, and ``results`` puts
them together with single-flight: identical requests in flight at once are computed once.
"""

from service.cache.key import ANSWER_NEUTRAL_FIELDS, answer_context, result_key
from service.cache.results import CacheOutcome, ResultCache, build_cache, cache_status

__all__ = [
    "ANSWER_NEUTRAL_FIELDS",
    "CacheOutcome",
    "ResultCache",
    "answer_context",
    "build_cache",
    "cache_status",
    "result_key",
]
