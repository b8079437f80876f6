"""The locustfile ``python -m ftpspec.locust`` hands to Locust: ftpspec.locust's FtpUser."""
from ftpspec.locust import FtpUser

__all__ = ["FtpUser"]
