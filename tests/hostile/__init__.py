"""Helpers for the hostile-client tests (tests/test_hostile_clients.py) and bench/soak.py."""
