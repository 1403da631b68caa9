"""The hall's queue: tickets, calls, help requests and the figures a hall manager reads.

The queue itself lives in the hall hub (`onewindow hall serve`, `sync.hall.server`),
one per hall LAN, working with the link to the platform down. This package holds
what every side agrees on and what needs no network: the model and the hub
protocol's shapes (`model`), which ticket a counter calls next (`selection`),
the numbers a kiosk may issue while the hub is away (`numbering`), and the
figures computed from stored timestamps (`metrics`). Terminals reach the hub
through the `HallPart` (`Terminal.hall`), which `sync.hall.part` plugs in.
"""
