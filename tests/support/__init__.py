"""Helpers shared by the test modules (no test module imports another one).

- :mod:`support.wait`: poll for a condition instead of sleeping;
- :mod:`support.stack`: a real server process with a provisioned directory;
- :mod:`support.segments`, :mod:`support.footage`: real MPEG-TS segments and H.264 packets;
- :mod:`support.ingest`: uploading segments to a stack and reading its index;
- :mod:`support.console`: the in-process app with an admin, for REST tests;
- :mod:`support.browser`, :mod:`support.postgres`, :mod:`support.rtsp_server`: real outside
  parts (Chromium, PostgreSQL, a GStreamer RTSP camera).
"""
