"""The complaint wing (投诉举报) and the publicity notice (公示) of certification batches.

Pure decisions (:mod:`workflow`, :mod:`intake`, :mod:`visibility`) are small modules with
their own tests; database work is in :mod:`service`, :mod:`officer_service` and
:mod:`publicity`; the tables are in :mod:`proctor.db.complaints`, so the supervision wing's
results gate reads open complaints without importing this wing.
"""
