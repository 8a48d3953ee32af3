"""WebRTC core shared by the server and the edge agent (imports only aiortc and PyAV)."""
