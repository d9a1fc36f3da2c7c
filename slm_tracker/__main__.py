import sys

from slm_tracker.cli import main

if __name__ == "__main__":
    sys.exit(main())
