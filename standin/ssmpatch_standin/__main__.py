"""Run the stand-in: ``python -m ssmpatch_standin [--port N]``. Listens on 127.0.0.1 only."""

import argparse
import sys

from werkzeug.serving import run_simple

from ssmpatch_standin.app import build_app


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ssmpatch_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5599)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost"):
        print(f"ssmpatch_standin: refusing to listen on {args.host}; the stand-in serves 127.0.0.1 only", file=sys.stderr)
        return 2
    run_simple("127.0.0.1", args.port, build_app(), threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
