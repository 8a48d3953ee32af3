"""Supervision wing: batches, the 双随机 draw, review, reports and the results gate."""
