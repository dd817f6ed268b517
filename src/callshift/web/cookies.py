"""The admin UI's session cookie name, known to the UI (which sets it) and to the body limits
(which refuse a form from no session before reading it)."""

SESSION_COOKIE = "callshift_session"
