"""Parts of `bench/platform_load.py`: simulated terminals, the platform cluster they load, and the checks."""
