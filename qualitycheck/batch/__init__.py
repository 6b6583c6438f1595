"""lint-site's batch layer: shards, the map/reduce/merge steps, the manifest, the executors."""

from .run import lint_site

__all__ = ["lint_site"]
