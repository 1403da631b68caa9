"""The citizen's self-service kiosk: one module per screen under `screens/`."""
