"""Loopback Discord emulator: drives the real discord.py client over real HTTP and websocket."""
