"""Text before any model sees it: story sentences with their offsets, chunks for a window, words."""
