"""The technician's set-up window (`onewindow setup --window`) and the voice's set-up test."""
