"""The engine harness that tests/ and bench/ share (not shipped in the wheel).

- ``harness.engine``: a hermetic Pulumi engine (the repo's CLI, a local file backend, no
  update checks, no plugin downloads), Automation API workspace options, and the stack
  config that points the provider at an emulator.
- ``harness.processes``: the processes under a pid, read from ``/proc`` (no psutil):
  walk the tree, sample CPU and memory, stop what is left.
"""
