"""Device drivers: one module per transport, all I/O on one device thread.

`base` holds the driver base class and errors, `thread` the device thread,
`sane_scanner` flatbed and sheet-fed scanners through SANE, `camera` the
frame source for document cameras, `file_import` files from a USB stick,
and `fake` a recording scanner for tests.
"""
