"""The hall hub (`onewindow hall serve`): one hall's queue on its LAN, with its own SQLite store.

`app` serves the protocol written down in `sync.hall.wire`; every change is made by one function of
`tickets`, `counters`, `help_requests` or `pairing` in one transaction that also appends the events it
causes to the log (`events`), so a client following the log never misses, repeats or reorders a change.
The hub needs no platform: it imports nothing of `sync.server`.
"""
