from kiosk.cli import console

console()
