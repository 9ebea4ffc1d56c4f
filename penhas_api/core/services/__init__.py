"""Domain services: plain functions called by the API views, CLI commands and tasks."""
