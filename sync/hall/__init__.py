"""The hall hub: the queue of one hall's LAN (`server`), and the terminal's link to it (`client`, `part`).

Every shape that crosses the wire is a dataclass of `kiosk.queue.model`, turned into JSON and back by `wire`.
"""
