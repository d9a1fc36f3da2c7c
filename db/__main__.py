import sys

from db.reports import main

if __name__ == "__main__":
    sys.exit(main())
