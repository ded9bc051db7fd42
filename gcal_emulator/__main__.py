"""``python -m gcal_emulator --host 127.0.0.1 --port 0``: run the emulator until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from .errors import ApiError
from .latency import GOOGLE
from .server import EmulatorServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gcal_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default: 0)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--google-latency", action="store_true",
                        help="answer as slowly as Google: " + ", ".join(f"{k}={v}" for k, v in GOOGLE.items()))
    parser.add_argument("--latency", metavar="KEY=MS[,KEY=MS]", type=_latency, default={},
                        help=f"latency settings in milliseconds, of {', '.join(GOOGLE)} (over Google's with "
                             "--google-latency; default: none, answers at once)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    server = EmulatorServer(args.host, args.port)
    try:
        server.app.latency.configure({**(GOOGLE if args.google_latency else {}), **args.latency})
    except ApiError as exc:
        server.stop()
        parser.error(exc.message)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.app.push.close()
    return 0


def _latency(text: str) -> dict[str, float]:
    settings = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        try:
            settings[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r} is not KEY=MILLISECONDS") from None
    return settings


if __name__ == "__main__":
    sys.exit(main())
