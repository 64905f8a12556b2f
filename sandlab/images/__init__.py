"""Offline-built images: a Debian base, the lab image and the hub image, from one lock."""
