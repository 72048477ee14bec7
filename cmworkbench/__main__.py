"""Allow ``python -m cmworkbench``."""

from cmworkbench.cli import main

raise SystemExit(main())
