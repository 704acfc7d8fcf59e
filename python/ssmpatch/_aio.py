"""The coroutine every ``*_async`` method returns (``ssmpatch._native`` calls :func:`call`)."""

from typing import Any, Awaitable, Callable


async def call(start: Callable[[], Awaitable[Any]]) -> Any:
    """Start the live call when awaited (inside the running loop) and wait for its result."""
    return await start()
