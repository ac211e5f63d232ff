"""`python -m wisebench ...` is the `wisebench` command."""

import sys

from wisebench.cli import main

sys.exit(main())
