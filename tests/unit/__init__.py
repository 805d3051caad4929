"""Pure functions and the models themselves (tiny or the real MiniLM), without a server."""
