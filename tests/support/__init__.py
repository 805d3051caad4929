"""Helpers the tests share; no tests live here."""
