"""The hall's call board (`onewindow board`): the calls in large characters, spoken in Mandarin."""
