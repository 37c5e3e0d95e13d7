"""Default rule files (data, not code); this file only lets them ship inside the package."""
