"""The default pipeline: rank the article's own sentences and return the key ones, with their offsets."""
