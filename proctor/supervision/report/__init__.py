"""The supervision report (督导报告): typed content, PDF/A rendering, PAdES signing, offline
verification. Functions take and return bytes; storing reports is the caller's job."""
