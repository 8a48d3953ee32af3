"""Live media: WHIP ingest, camera feeds of decoded frames, shared encoders and WHEP playback."""
