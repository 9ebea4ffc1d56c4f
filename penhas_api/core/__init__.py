"""Domain core shared by the API, the CLI and the tasks. Knows nothing of Flask."""
