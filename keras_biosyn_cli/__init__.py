"""The `keras-biosyn` command line.

A separate package from `keras_biosyn`, which it uses and which never imports
it: importing `keras_biosyn` loads TensorFlow (its classes must be registered
with Keras before a model file is loaded), and the command line must answer
`--help` without that. Each command imports what it needs when it runs.
"""
