"""Benchmarks of pulumi-commvault against the CommServe emulator and the real Pulumi engine.

Each module is one command (``python -m bench.<name>``); see ``bench/README.md``.
"""
