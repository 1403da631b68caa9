"""One module per kiosk screen; each subclasses `base.Screen`."""
