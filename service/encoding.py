"""Request bodies sent with ``Content-Encoding: gzip``, decompressed as they stream in.

Plain ASGI middleware outside :class:`~service.traffic.TrafficLimits`: the app and the body limit see
the decompressed body, so ``LEADLIST_MAX_BODY_BYTES`` bounds what a gzip body expands to. Each read hands
on at most :data:`PIECE_BYTES` of output and keeps the rest of its input for the next read, so a zip
bomb is cut off at the limit without ever being held whole. Any other coding is answered 415 before the
body is read, rather than failing later as a body that "is not UTF-8".
"""

from __future__ import annotations

import zlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ProblemError, problem_response
from service.traffic import body_too_large

SUPPORTED = "gzip"
# Output handed on per read: small enough that the limit check downstream runs often.
PIECE_BYTES = 64 * 1024
# zlib's window bits for a gzip header and trailer (not raw deflate, not a zlib stream).
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class RequestDecoding:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        codings = _content_codings(scope)
        if not codings:
            await self.app(scope, receive, send)
            return
        if codings != [SUPPORTED]:
            named = ", ".join(codings)
            response = problem_response(
                415,
                "unsupported-content-encoding",
                f"Content-Encoding {named} is not supported; send the body as gzip or uncompressed.",
                {"Accept-Encoding": SUPPORTED},
                extra={"supported": [SUPPORTED]},
            )
            await response(scope, receive, send)
            return
        # What follows sees a plain body of unknown length: the header no longer describes it.
        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-encoding", b"content-length")
        ]
        await self.app({**scope, "headers": headers}, GzipReceive(receive, self.max_body_bytes), send)


class GzipReceive:
    """``receive`` for the app: the same messages, with each body decompressed a piece at a time.

    The compressed bytes are held to the limit too: gzip can spend any number of bytes on empty blocks,
    which the decompressed count downstream would never see.
    """

    def __init__(self, receive: Receive, max_body_bytes: int) -> None:
        self._receive = receive
        self._max_body_bytes = max_body_bytes
        self._received = 0
        self._inflater = zlib.decompressobj(_GZIP_WBITS)
        self._pending = b""  # compressed input not yet decompressed
        self._more_input = True
        self._done = False

    async def __call__(self) -> Message:
        if self._done:
            return await self._receive()
        while True:
            if not self._pending and self._more_input:
                message = await self._receive()
                if message["type"] != "http.request":
                    return message
                self._pending = message.get("body", b"")
                self._received += len(self._pending)
                if self._received > self._max_body_bytes:
                    raise body_too_large(self._max_body_bytes)
                self._more_input = message.get("more_body", False)
            piece = self._inflate()
            if piece or not self._more_input:
                more = bool(self._pending) or self._more_input
                if not more:
                    self._finish()
                return {"type": "http.request", "body": piece, "more_body": more}

    def _inflate(self) -> bytes:
        """At most PIECE_BYTES of output; what input it did not reach stays pending."""
        try:
            piece = self._inflater.decompress(self._pending, PIECE_BYTES)
        except zlib.error as exc:
            raise _corrupt(str(exc)) from exc
        self._pending = self._inflater.unconsumed_tail
        if self._inflater.eof and self._inflater.unused_data:
            # Another gzip member follows (RFC 1952 allows several, concatenated).
            self._pending = self._inflater.unused_data + self._pending
            self._inflater = zlib.decompressobj(_GZIP_WBITS)
        return piece

    def _finish(self) -> None:
        self._done = True
        if not self._inflater.eof:
            raise _corrupt("the body ends before the gzip stream does")


def _corrupt(reason: str) -> ProblemError:
    return ProblemError(400, "invalid-gzip", f"The body is not valid gzip: {reason}.")


def _content_codings(scope: Scope) -> list[str]:
    """The codings applied to the body, in order; ``identity`` (no coding) is left out."""
    codings: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"content-encoding":
            codings += [part.strip().lower() for part in value.decode("latin-1").split(",")]
    return [coding for coding in codings if coding and coding != "identity"]
