"""A technician's set-up of a terminal (`onewindow setup`): what was asked, each device's test and its result.

The use cases are in `kiosk.usecases.setup`; the printer's and the voice's tests come from the layers above
through the ``onewindow.device_tests`` entry points, the enrollment through ``onewindow.enrollment``.
"""
