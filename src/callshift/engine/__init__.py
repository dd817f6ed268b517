"""The migration engine: move users between subscriptions on any Webex-compatible API.

It talks HTTP only (callshift's own server or https://webexapis.com/v1), never callshift's
server-side code:

    client    an async httpx client of the Webex endpoints, with retries and backoff
    pacing    adaptive concurrency, and a request rate learned from 429s
    model     licences, offers and one user's planned move
    plan      read licences, holders and calling data; snapshot; blockers; capacity
    catalogue every calling setting of domain/settings: read, compared, written back
    journal   the local SQLite journal, written before and after every step
    moves     run, resume and rollback: one swap per user, converging on the goal
    repair    a calling licence removed without its replacement, given back, settings after
    verify    every moved user re-read and compared with the snapshot
    report    CSV and JSON reports
"""
