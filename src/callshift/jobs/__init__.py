"""Long operations as rows: a job, its items in numbered batches, and a log.

Each batch is one transaction that does its work and marks itself done, so a process
killed at any moment leaves every batch either wholly applied or untouched; whoever runs
next (the server's runner thread, or any `callshift worker`) picks up the rest. On
PostgreSQL, workers claim batches with FOR UPDATE SKIP LOCKED, so none is done twice.

    preview ──► created ──► running ──► succeeded | failed
       │           │           │
       └───────────┴──► abandoned ◄┘

    succeeded | failed | abandoned ──► rolling_back ──► rolled_back
    created | running | rolling_back ──► failed          a batch raised on every try
    failed (a batch raised) ──► created | running | rolling_back      resume

A job ends ``failed`` in one of two ways: every batch done and some items failed, or one
batch raised on each of its tries (``error`` names it; see ``runner``). Only the second
leaves batches to do, so only it can be resumed (``services.jobs.resume_job``); a rollback
that broke resumes as ``rolling_back``.

A *preview* (a validated CSV import or template apply awaiting confirmation) is never run:
the runner takes only ``ACTIVE`` jobs, with the handlers it is given
(``registry.default_handlers()`` unless told otherwise).
"""
