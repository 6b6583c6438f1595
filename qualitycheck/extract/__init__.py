"""Extraction layer: from files and pages to Documents."""
