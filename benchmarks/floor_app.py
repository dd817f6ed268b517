"""The floor: the framework callshift runs on, serving handlers that do no work.

The same FastAPI, the same sync-handler threadpool, the same uvicorn settings as
`callshift serve` (one worker, factory app, log level warning, default loop and HTTP
parser), but each endpoint returns a constant small JSON object. Whatever a callshift
request costs above this is callshift's own: middleware, auth, validation, SQL, JSON.

Run by benchmarks/api.py as:  python benchmarks/floor_app.py --port 8123
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI

# About the size of a swap's answer, so the bytes on the wire are alike.
ANSWER = {
    "orgId": "floor",
    "personId": "floor",
    "email": "floor@example.com",
    "licenses": ["floor-licence-1", "floor-licence-2", "floor-licence-3"],
}


def create_app() -> FastAPI:
    app = FastAPI(title="callshift floor")

    @app.get("/floor")
    def read() -> dict:
        return ANSWER

    @app.patch("/floor")
    def write() -> dict:
        return ANSWER

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Mirror callshift.cli.main.serve: uvicorn.run(factory=True, workers=1, log_level="warning").
    uvicorn.run(
        "floor_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
