"""Benchmarks (``proctor bench ...``) and the headless viewer they use."""
