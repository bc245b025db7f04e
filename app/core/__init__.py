"""Process-wide plumbing of the web app: settings, database engines, security helpers."""
