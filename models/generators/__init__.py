"""Text generators from local weights, and the decoding settings and limits they run under."""
