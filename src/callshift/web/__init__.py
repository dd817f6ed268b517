"""What the API and the UI share at the HTTP boundary without importing each other: the
security headers every response carries (mounted by ``callshift.bootstrap``) and the
bounded query parameters. Depends on nothing of callshift but the standard library."""
