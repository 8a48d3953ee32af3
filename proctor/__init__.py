"""Proctor: remote video invigilation for skills-certification exams.

The package root stays import-light: the edge agent imports :mod:`proctor.rtc`
without pulling in the server stack (FastAPI, SQLAlchemy, detection).
"""

__version__ = "0.1.0"
