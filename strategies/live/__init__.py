"""The live workshop's real-time layer: broadcasts (broadcast.py) and the socket consumer (consumer.py)."""
