"""The complaint wing (投诉举报) and the publicity notice (公示) of certification batches.

Pure decisions (:mod:`workflow`, :mod:`intake`, :mod:`form`) are small modules with their
own tests; database work is in :mod:`registration` (intake), :mod:`attachments`,
:mod:`handling` (the steps), :mod:`views` (reading, redaction), :mod:`access` (scope and
recusal) and :mod:`publicity`; the tables are in :mod:`proctor.db.complaints`, so the
supervision wing's results gate reads open complaints without importing this wing.
"""
