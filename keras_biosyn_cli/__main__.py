"""`python -m keras_biosyn_cli`: the same as the `keras-biosyn` command."""

import sys

from keras_biosyn_cli.main import main

sys.exit(main())
