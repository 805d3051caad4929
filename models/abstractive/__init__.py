"""The generator pipeline: a local model writes bullets, a guard checks each against the article."""
