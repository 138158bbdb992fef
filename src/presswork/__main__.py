"""`python -m presswork`."""

from presswork.cli import main

raise SystemExit(main())
