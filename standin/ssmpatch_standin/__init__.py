"""ssmpatch's local AWS stand-in: moto server plus what moto lacks.

Every simulated behaviour cites the AWS rule it follows. Start it with
``python -m ssmpatch_standin --port 5599`` (127.0.0.1 only) or ``scripts/standin.sh start``.
Module layout: standin/README.md, "Module layout".
"""

__all__ = ["app", "handlers", "sim", "state", "validation"]
