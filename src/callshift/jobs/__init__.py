"""Long operations as rows: a job, its items in numbered batches, and a log.

Each batch is one transaction that does its work and marks itself done, so a process
killed at any moment leaves every batch either wholly applied or untouched; whoever runs
next (the server's runner thread, or any `callshift worker`) picks up the rest. On
PostgreSQL, workers claim batches with FOR UPDATE SKIP LOCKED, so none is done twice.

    preview ──► created ──► running ──► succeeded | failed
       │           │           │
       └───────────┴──► abandoned ◄┘     succeeded | failed | abandoned ──► rolling_back ──► rolled_back

A *preview* (a validated CSV import or template apply awaiting confirmation) is never run: the runner takes
only ``ACTIVE`` jobs.
"""
