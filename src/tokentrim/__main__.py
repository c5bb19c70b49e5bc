import sys

from tokentrim.cli import main

sys.exit(main())
