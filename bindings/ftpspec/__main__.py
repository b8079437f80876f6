"""``python -m ftpspec ...`` is the ``ftpspec`` command (ftpspec.cli)."""
import sys

from ftpspec.cli import ftpspec

if __name__ == "__main__":
    sys.exit(ftpspec())
