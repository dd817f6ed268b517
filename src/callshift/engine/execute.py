"""``run``, ``resume`` and ``rollback``: every user converges on the goal, one swap each.

For each user the engine knows the pairs (source licence out, target licence in; reversed
for a rollback) and, after every answer, which licences the user holds. It then acts:

    some pair has neither licence        → repair: give it back (repair.py), settings after
    some pair still has its source       → swap: remove sources and add targets, one request
    every pair has its target            → done

A workspace is swapped and repaired by PUT /workspaces/{id} (workspace_moves.py), always
after a GET: the PUT carries the whole body read. A repair gives back the licence, location,
extension and number, then writes the snapshot's settings back at the workspace's paths.

A swap or a repair whose fate is unknown (timeout, dropped connection, 5xx) is never
repeated blindly: the user is re-read and the same rules decide. A user the journal shows
in flight (killed mid-step) is re-read first too, by resume and by a rollback alike. Each
step is journalled before and after.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .client import USER_RETRIES, Ambiguous, ApiError, EngineError, Fatal, Reply, WebexClient
from .journal import Journal, Run, now
from .model import Pair, UserMove
from .repair import give_back_operations, restore_settings
from .workspace_moves import licences_of, put_body, swapped

MAX_ROUNDS = 6


@dataclass(frozen=True)
class Direction:
    name: str
    start: tuple[str, ...]  # states a user is picked up in
    busy: str
    repairing: str
    done: str
    repaired: str
    failed: str

    def pairs(self, u: UserMove) -> list[Pair]:
        return u.pairs if self.name == "run" else [p.reversed() for p in u.pairs]


RUN = Direction(
    "run", ("planned", "moving", "repairing"), "moving", "repairing", "moved", "repaired", "failed"
)
ROLLBACK = Direction(
    "rollback",
    ("moved", "repaired", "moving", "repairing", "rolling_back", "repairing_back"),
    "rolling_back",
    "repairing_back",
    "rolled_back",
    "rolled_back",
    "rollback_failed",
)
IN_FLIGHT = ("moving", "repairing", "rolling_back", "repairing_back")  # re-read these first
REPAIRING = ("repairing", "repairing_back")  # settings not yet written back


class UserFailed(Exception):
    pass


def classify(pairs: list[Pair], held: set[str]) -> tuple[list[Pair], list[Pair]]:
    """(lost: neither licence held, todo: the source still held)."""
    lost = [p for p in pairs if p.source not in held and p.target not in held]
    todo = [p for p in pairs if p.source in held]
    return lost, todo


Event = Callable[[str, UserMove | None, str], None]


class Mover:
    def __init__(
        self,
        client: WebexClient,
        journal: Journal,
        run: Run,
        direction: Direction,
        on_event: Event | None = None,
    ):
        self.client, self.journal, self.run, self.d = client, journal, run, direction
        self.org = run.org_id
        self.on_event: Event = on_event or (lambda kind, user, message: None)
        self.stop: BaseException | None = None
        self.workspaces: dict[str, dict] = {}  # each workspace as last read or answered

    def record(
        self,
        u: UserMove,
        step: str,
        phase: str,
        outcome: str | None = None,
        defer: bool = False,
        **detail,
    ) -> None:
        self.journal.record(self.run.id, u, step, phase, outcome, detail or None, defer)

    async def process(self, u: UserMove) -> None:
        pairs = self.d.pairs(u)
        restore = u.state in REPAIRING
        held: set[str] | None = (
            None if u.state in IN_FLIGHT or u.is_workspace else {p.source for p in pairs}
        )
        refused: UserFailed | None = None
        try:
            for _ in range(MAX_ROUNDS):
                if held is None:
                    held = await self._licences(u)
                lost, todo = classify(pairs, held)
                if lost:
                    restore = restore or any(p.calling for p in lost)
                    held = await self.give_back(u, lost)
                elif todo and refused:  # refused, and re-read: not done meanwhile either
                    raise refused
                elif todo:
                    try:
                        held = await self.swap(u, todo, pairs)
                    except UserFailed as e:
                        refused, held = e, None  # re-read: a repeat after a lost answer is refused
                else:
                    break
            else:
                raise UserFailed(
                    f"did not converge after {MAX_ROUNDS} rounds"
                    + (
                        "; LICENCE LOST: it holds neither licence, `resume --retry-failed` "
                        "gives it back"
                        if lost
                        else ""
                    )
                )
        except UserFailed as e:
            u.state, u.error = self.d.failed, str(e)
            if restore and await self._has_calling(u):
                await self.restore(u)
            self.record(u, "user", "after", "failed", error=str(e))
            self.on_event("failed", u, str(e))
            return
        if restore:
            await self.restore(u)
        u.state = self.d.repaired if restore else self.d.done
        u.error = None
        self.record(u, "user", "after", u.state)
        self.on_event("repaired" if restore else "done", u, "")

    async def swap(self, u: UserMove, todo: list[Pair], pairs: list[Pair]) -> set[str] | None:
        """One request: a person's PATCH (sources removed, targets added), or a workspace's
        PUT (the body as read, the sources replaced by the targets: Webex's swap)."""
        u.state, u.attempts = self.d.busy, u.attempts + 1
        if u.is_workspace:
            current = self.workspaces[u.person_id]
            wanted = swapped(licences_of(current) or set(), todo)
            self.record(u, "swap", "before", licenses=wanted)
            call = self.client.update_workspace(u.person_id, put_body(current, wanted), self.org)
        else:
            ops = _swap_operations(u, todo)
            self.record(u, "swap", "before", licenses=ops)
            call = self.client.assign(u.person_id, ops, self.org)
        reply = await self._swap_call(u, call)
        if reply is None:
            return None
        answer = reply.data or {}
        held = self._read_back(u, answer) if u.is_workspace else set(answer.get("licenses") or [])
        lost, left = classify(pairs, held)
        outcome = "removed_without_add" if lost else ("partial" if left else "done")
        errors = {} if u.is_workspace else {"errors": answer.get("errors")}
        self.record(
            u,
            "swap",
            "after",
            outcome,
            defer=outcome == "done",
            status=reply.status,
            licenses=sorted(held),
            **errors,
        )
        if lost:
            self.on_event("lost", u, _lost_message(u, lost))
        elif left and reply.status == 206:
            reasons = "; ".join(e.get("description", "") for e in answer.get("errors") or [])
            raise UserFailed(f"206: some licences were not moved ({reasons or 'no reason given'})")
        return held

    async def _swap_call(self, u: UserMove, call: Awaitable[Reply]) -> Reply | None:
        """The swap's request, journalled: None when its fate is unknown (the holder is
        re-read, never sent the same blindly); a refusal fails the holder."""
        try:
            return await call
        except Ambiguous as e:
            self.record(u, "swap", "after", "unknown", error=str(e))
            return None
        except Fatal:
            raise
        except ApiError as e:
            self.record(
                u, "swap", "after", "refused", status=e.status, codes=list(e.codes), error=e.message
            )
            raise UserFailed(str(e)) from None

    async def give_back(self, u: UserMove, lost: list[Pair]) -> set[str] | None:
        u.state = self.d.repairing
        for use_source in (False, True):
            ops = give_back_operations(lost, u.properties, use_source)
            step = "repair_source" if use_source else "repair"
            self.record(u, step, "before", licenses=ops)
            try:
                if u.is_workspace:
                    held = await self._give_back_workspace(u, [o["id"] for o in ops])
                    self.record(u, step, "after", "given_back", licenses=sorted(held))
                    return held
                reply = await self.client.assign(u.person_id, ops, self.org)
            except Ambiguous as e:
                self.record(u, step, "after", "unknown", error=str(e))
                return None
            except Fatal:
                raise
            except ApiError as e:
                self.record(
                    u,
                    step,
                    "after",
                    "refused",
                    status=e.status,
                    codes=list(e.codes),
                    error=e.message,
                )
                continue
            held = set((reply.data or {}).get("licenses") or [])
            self.record(u, step, "after", "given_back", status=reply.status, licenses=sorted(held))
            return held
        raise UserFailed(
            "LICENCE LOST and could not be given back (neither the target's nor "
            "the source's): restore the user by hand from the snapshot in the journal"
        )

    async def _give_back_workspace(self, u: UserMove, wanted: list[str]) -> set[str]:
        """The PUT of a workspace with no calling licence: ``wanted`` and the snapshot's
        location, extension and number."""
        current = self.workspaces[u.person_id]
        held = licences_of(current) or set()
        body = put_body(current, sorted(held | set(wanted)), u.properties)
        return self._read_back(
            u, (await self.client.update_workspace(u.person_id, body, self.org)).data or {}
        )

    def _read_back(self, u: UserMove, workspace: dict) -> set[str]:
        held = licences_of(workspace)
        if held is None:
            raise UserFailed(
                "the API does not say which licence the workspace holds "
                "(no calling.webexCalling.licenses in its answer)"
            )
        self.workspaces[u.person_id] = workspace
        return held

    async def restore(self, u: UserMove) -> None:
        self.record(u, "settings", "before")
        u.losses = await restore_settings(self.client, u.person_id, u.snapshot, self.org, u.kind)
        self.record(u, "settings", "after", "written", losses=u.losses)
        self.on_event("restored", u, "; ".join(u.losses))

    async def _licences(self, u: UserMove) -> set[str]:
        try:
            if u.is_workspace:
                return self._read_back(u, await self.client.workspace(u.person_id, self.org))
            person = await self.client.person(u.person_id, self.org)
        except Fatal:
            raise
        except ApiError as e:  # gone, or no longer visible to the token
            what = "workspace" if u.is_workspace else "user"
            raise UserFailed(f"cannot read the {what}: {e}") from None
        return set(person.get("licenses") or [])

    async def _has_calling(self, u: UserMove) -> bool:
        if u.is_workspace:
            return bool(licences_of(self.workspaces.get(u.person_id) or {}))
        try:
            return await self.client.feature(u.person_id, "voicemail", self.org) is not None
        except EngineError:
            return False

    async def worker(self, queue: asyncio.Queue) -> None:
        while self.stop is None and not queue.empty():
            u = queue.get_nowait()
            retries = [0]
            token = USER_RETRIES.set(retries)
            try:
                await self.process(u)
            except Fatal as e:
                self.stop = e
            except EngineError as e:  # the server stayed unavailable: left for resume
                u.error = str(e)
                self.record(u, "user", "after", "unfinished", error=str(e))
                self.on_event("unfinished", u, str(e))
            finally:
                USER_RETRIES.reset(token)
                u.retries += retries[0]


def _swap_operations(u: UserMove, todo: list[Pair]) -> list[dict]:
    """Each pair's source removed and target added, the calling one with the user's own
    location, number and extension."""
    ops: list[dict] = []
    for p in todo:
        ops.append({"id": p.source, "operation": "remove"})
        add: dict = {"id": p.target, "operation": "add"}
        if p.calling and u.properties:
            add["properties"] = dict(u.properties)
        ops.append(add)
    return ops


def _lost_message(u: UserMove, lost: list[Pair]) -> str:
    what = "the calling licence" if any(p.calling for p in lost) else "a licence"
    how = "" if u.is_workspace else " (206)"
    return (
        f"{u.email}: the server removed {what} without adding its replacement{how}; "
        f"giving it back now with location, number and extension from the snapshot"
    )


async def execute(
    client: WebexClient,
    journal: Journal,
    run: Run,
    direction: Direction,
    retry_failed: bool = False,
    workers: int = 32,
    on_event: Event | None = None,
) -> dict[str, int]:
    """Take every user of the run that the direction picks up; answer the state counts."""
    states = direction.start + ((direction.failed,) if retry_failed else ())
    users = journal.users(run.id, states)
    mover = Mover(client, journal, run, direction, on_event)
    queue: asyncio.Queue = asyncio.Queue()
    for u in users:
        queue.put_nowait(u)
    journal.set_run(
        run.id,
        status="rolling_back" if direction is ROLLBACK else "running",
        **({"started": now()} if run.started is None else {}),
    )
    await asyncio.gather(*(mover.worker(queue) for _ in range(max(1, workers))))
    counts = journal.counts(run.id)
    remaining = sum(counts.get(s, 0) for s in direction.start)
    if direction is RUN:
        status = "done" if remaining == 0 else "incomplete"
    else:
        status = "rolled_back" if remaining == 0 else "rollback_incomplete"
    journal.set_run(run.id, status=status, finished=now())
    if mover.stop is not None:
        raise mover.stop
    return counts
