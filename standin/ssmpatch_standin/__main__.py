"""Run the stand-in: ``python -m ssmpatch_standin [--port N]``. Listens on 127.0.0.1 only."""

import argparse
import sys

from ssmpatch_standin.app import build_app
from ssmpatch_standin.server import IDLE_SECONDS, serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ssmpatch_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5599)
    parser.add_argument("--idle-timeout", type=float, default=IDLE_SECONDS, metavar="SECONDS",
                        help="close a kept-alive connection idle this long (default %(default)s)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost"):
        print(f"ssmpatch_standin: refusing to listen on {args.host}; the stand-in serves 127.0.0.1 only", file=sys.stderr)
        return 2
    if not args.idle_timeout > 0:
        print("ssmpatch_standin: --idle-timeout must be a positive number of seconds", file=sys.stderr)
        return 2
    serve(args.port, build_app(), args.idle_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
