"""Launchers for the real FTP servers ftpspec tests against (see docs/peers.md).

The API lives in ``tests.peers.launch``; it is re-exported here lazily, so that
``python3 -m tests.peers.launch`` does not import the module twice.
"""

__all__ = ["PEERS", "Peer", "PeerStartError", "PeerUnavailable", "missing_reason", "start_peer"]


def __getattr__(name: str):
    if name in __all__:
        from . import launch
        return getattr(launch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
