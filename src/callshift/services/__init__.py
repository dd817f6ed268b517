"""Use cases: one function per operation, called alike by the API, UI, CLI and jobs."""
