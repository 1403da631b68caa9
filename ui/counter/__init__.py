"""The counter: hall staff log in, take walk-ins, review what kiosks and the platform send, watch deadlines."""
