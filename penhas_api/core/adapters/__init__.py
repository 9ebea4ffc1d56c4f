"""Outside systems behind small interfaces, each with a production and an embedded implementation."""
