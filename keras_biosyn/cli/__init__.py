"""The `keras-biosyn` command line. Nothing in the package imports it."""
