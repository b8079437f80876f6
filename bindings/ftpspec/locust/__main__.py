"""``python -m ftpspec.locust [LOCUST OPTIONS]``: Locust's command line, with ftpspec.locust's
FtpUser as the locustfile (a ``-f`` given on the command line comes later and wins)."""
import sys
from pathlib import Path

from locust.main import main

if __name__ == "__main__":
    sys.argv[1:1] = ["-f", str(Path(__file__).with_name("locustfile.py"))]
    sys.exit(main())
