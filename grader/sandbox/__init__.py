"""The sandboxed runner: the only place student code is parsed, imported, traced and run."""
