"""Handing freed heap memory back to the operating system when the model goes idle.

glibc keeps the memory of freed activations in its arenas, fragmented, so a torch service's resident
size climbs under load and stays there, the more so when model calls run on several threads.
``malloc_trim`` when the queue empties costs a few milliseconds of idle time, and capping the arenas
keeps every thread's freed memory in one place. A lower mmap threshold is no substitute: it costs
throughput and the heap still climbs, because what pins it is oneDNN's kernel cache (turned off in
``models.encoders.torch_encoder``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

# mallopt's parameter number for the arena cap (glibc malloc.h).
_M_ARENA_MAX = -8


@functools.cache
def _glibc_function(name: str) -> Callable[..., int] | None:
    """A glibc malloc tuning function, or None where the C library has none (musl, macOS)."""
    library = ctypes.util.find_library("c")
    if library is None:
        return None
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):
        return None
    return function


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas; call before threads start. False where the C library cannot.

    glibc gives each thread that allocates concurrently an arena of its own, up to 8 per core, and freed
    memory cannot move between arenas: the event loop, the threads that split requests and the model
    thread each keep their own high-water mark. Two arenas (the usual advice for Python services) keep
    them together; allocation contention is negligible here because one thread does the heavy work.
    """
    mallopt = _glibc_function("mallopt")
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Return freed heap pages to the OS; False where the C library cannot (not glibc)."""
    trim = _glibc_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True
