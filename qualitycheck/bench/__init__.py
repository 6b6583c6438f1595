"""Benchmarks runnable from the CLI (`qualitycheck bench ...`)."""
